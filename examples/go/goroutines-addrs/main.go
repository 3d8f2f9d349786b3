// Each goroutine has a stack of its own, the global is one for all: four
// goroutines, alive at the same time, each print where its local variable
// is and where the shared global is. The locals' addresses are taken as
// integers, so that they stay on the goroutines' stacks (`-gcflags=-m`);
// &globalCount may go to fmt as it is, a global never moves. Lines that
// start with "goroutines-addrs:" hold addresses (in no fixed order: the
// goroutines print them); the others are the same on every run.
package main

import (
	"fmt"
	"sync"
	"unsafe"
)

const workers = 4

var globalCount int = 100

func main() {
	var printed, done sync.WaitGroup
	release := make(chan struct{})
	locals := make([]uintptr, workers)
	printed.Add(workers)
	done.Add(workers)
	for i := 0; i < workers; i++ {
		go func(id int) {
			defer done.Done()
			local := id * 10
			locals[id] = uintptr(unsafe.Pointer(&local))
			fmt.Printf("goroutines-addrs: goroutine %d: local at %#x, globalCount at %p\n",
				id, locals[id], &globalCount)
			printed.Done()
			// Stay alive until every goroutine has printed: a goroutine
			// that ended would hand its stack to the next one.
			<-release
		}(i)
	}
	printed.Wait()
	close(release)
	done.Wait()

	distinct := map[uintptr]bool{}
	for _, a := range locals {
		distinct[a] = true
	}
	fmt.Printf("%d goroutines, %d different addresses for their locals, one globalCount: %d\n",
		workers, len(distinct), globalCount)
}
