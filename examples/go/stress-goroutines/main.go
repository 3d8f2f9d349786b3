// 1,000 goroutines alive at once: each starts, says it is ready, and waits
// until main lets them all go; then each adds its number to a total and
// ends, and main waits for all of them. Each goroutine's stack is its own
// (the addresses of their locals all differ). The line that starts with
// "stress-goroutines:" holds addresses.
package main

import (
	"fmt"
	"runtime"
	"sync"
	"unsafe"
)

const count = 1000

func main() {
	var ready, done sync.WaitGroup
	var mu sync.Mutex
	total := 0
	release := make(chan struct{})
	locals := make([]uintptr, count)
	ready.Add(count)
	done.Add(count)
	for i := 0; i < count; i++ {
		go func(id int) {
			defer done.Done()
			n := id + 1
			locals[id] = uintptr(unsafe.Pointer(&n))
			ready.Done()
			<-release
			mu.Lock()
			total += n
			mu.Unlock()
		}(i)
	}
	ready.Wait()
	fmt.Println("goroutines alive at once:", runtime.NumGoroutine())
	close(release)
	done.Wait()
	fmt.Println("all joined; total:", total, "=", count*(count+1)/2)

	lo, hi := locals[0], locals[0]
	distinct := map[uintptr]bool{}
	for _, a := range locals {
		distinct[a] = true
		if a < lo {
			lo = a
		}
		if a > hi {
			hi = a
		}
	}
	fmt.Printf("stress-goroutines: locals from %#x to %#x\n", lo, hi)
	fmt.Println("different addresses for their locals:", len(distinct))
}
