// The guide's escape example: the same local, x, on the heap when its
// address is returned and on the stack when only its value is.
package main

import "fmt"

func heapExample() *int {
	x := 42
	return &x // the caller keeps a pointer to x: x moves to the heap
}

func stackExample() int {
	x := 42
	return x // a copy goes back: x can die with the frame
}

func main() {
	heapPtr := heapExample()
	fmt.Println(*heapPtr)

	stackVal := stackExample()
	fmt.Println(stackVal)
}
