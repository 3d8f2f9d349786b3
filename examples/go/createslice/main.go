// The guide's heap example: the slice outlives the call that made it
// (createSlice hands back its address), so the compiler puts it on the heap.
package main

import "fmt"

func createSlice() *[]int {
	nums := []int{1, 2, 3} // its address leaves the function: heap
	return &nums
}

func main() {
	slicePtr := createSlice()
	fmt.Println(*slicePtr)
}
