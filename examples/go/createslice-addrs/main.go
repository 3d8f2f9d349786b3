// createSlice, annotated: the slice header nums and the array it points to
// both outlive the call, so both are on the heap (`-gcflags=-m`: "moved to
// heap: nums"); main's variable slicePtr, which only holds the pointer,
// stays on main's stack. %p is fine for the heap objects (they are there
// already); slicePtr's own address is taken as an integer so that it does
// not escape. Lines that start with "createslice-addrs:" hold addresses.
package main

import (
	"fmt"
	"unsafe"
)

func createSlice() *[]int {
	nums := []int{1, 2, 3}
	fmt.Printf("createslice-addrs: nums (the slice header) at %p, its array at %p\n", &nums, &nums[0])
	return &nums
}

func main() {
	slicePtr := createSlice()
	fmt.Println(*slicePtr)
	fmt.Printf("createslice-addrs: main got %p, and keeps it in slicePtr at %#x\n",
		slicePtr, uintptr(unsafe.Pointer(&slicePtr)))
	fmt.Println("the array is still there after the call:", (*slicePtr)[2] == 3)
}
