// The guide's data-segment example: a package-level variable with a
// non-zero initial value sits at one fixed address for the whole run.
package main

import "fmt"

var globalCount int = 100 // initialised global: in the binary's data

func main() {
	fmt.Println(globalCount)
}
