// The guide's first stack example: add's parameters and its result, and
// main's sum, are locals; Go keeps them in the goroutine's stack frames.
package main

import "fmt"

func add(a, b int) int {
	result := a + b // a local of add: lives in add's frame
	return result
}

func main() {
	sum := add(5, 3) // a local of main: lives in main's frame
	fmt.Println(sum)
}
