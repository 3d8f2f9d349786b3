// globalCount, annotated: a global with a non-zero initial value comes from
// the binary's file (Go's linker puts it in .noptrdata, "no pointers":
// the collector need not scan it); a zero one (zeroCount) takes no room in
// the file (.noptrbss). main's code sits in .text. These addresses are
// fixed by the linker: `nm` on the binary shows the same ones. Lines that
// start with "globalcount-addrs:" hold addresses.
package main

import "fmt"

var globalCount int = 100

var zeroCount int // no initial value: zeroed memory, not file contents

func main() {
	fmt.Println(globalCount)
	fmt.Printf("globalcount-addrs: globalCount at %p\n", &globalCount)
	fmt.Printf("globalcount-addrs: zeroCount at %p\n", &zeroCount)
	fmt.Printf("globalcount-addrs: main's code at %p\n", main)
	globalCount++
	fmt.Println("globalCount can change, its address cannot:", globalCount)
}
