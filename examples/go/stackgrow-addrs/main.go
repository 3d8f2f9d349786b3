// A goroutine's stack starts small and grows: when a call needs more room
// than is left, the runtime allocates a stack twice as big, copies the old
// one into it and fixes the pointers into it. The variables therefore
// change address. This goroutine notes where its local marker is, recurses
// deeply, and notes it again. The address is taken as an integer (an
// integer is not a pointer the runtime would fix, nor an escape: marker
// stays on the stack, `-gcflags=-m`). Lines that start with
// "stackgrow-addrs:" hold addresses.
package main

import (
	"fmt"
	"unsafe"
)

const depth = 2000

// deep uses about 300 bytes of stack per call: 2,000 calls need some
// 600 KiB, far more than a new goroutine starts with.
//
//go:noinline
func deep(n int) int {
	var pad [64]int32
	pad[n%64] = int32(n)
	if n == 0 {
		return 0
	}
	return deep(n-1) + int(pad[n%64]&1)
}

func main() {
	done := make(chan [2]uintptr)
	go func() {
		marker := 7
		before := uintptr(unsafe.Pointer(&marker))
		odd := deep(depth)
		after := uintptr(unsafe.Pointer(&marker))
		fmt.Println("odd numbers up to", depth, "=", odd, "; marker still", marker)
		done <- [2]uintptr{before, after}
	}()
	at := <-done
	fmt.Printf("stackgrow-addrs: marker at %#x before the recursion\n", at[0])
	fmt.Printf("stackgrow-addrs: marker at %#x after it\n", at[1])
	fmt.Println("the stack moved:", at[0] != at[1])
}
