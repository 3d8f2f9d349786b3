// The Go runtime on mematlas: goroutines, a growing goroutine stack, the
// garbage collector and a timer, in one static linux/386 program built by
// Debian's Go (tests/qemu/test_go.py runs it under mematlas and on the host).
// Lines that start with "~" hold addresses or times: they differ run to run.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

var globalCount = 100

// deep recurses with a big frame, so that its goroutine's stack must grow.
func deep(n int) int {
	var pad [256]byte
	pad[n%256] = byte(n)
	if n == 0 {
		return 0
	}
	return deep(n-1) + int(pad[n%256]&1)
}

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			x := i
			fmt.Printf("~goroutine %d local %p global %p\n", i, &x, &globalCount)
		}(i)
	}
	wg.Wait()
	fmt.Println("goroutines: 8 done")

	done := make(chan int)
	go func() {
		var before int
		fmt.Printf("~stack before %p\n", &before)
		r := deep(2000)
		var after int
		fmt.Printf("~stack after %p\n", &after)
		done <- r
	}()
	fmt.Println("deep:", <-done)

	var keep [][]byte
	for i := 0; i < 3000; i++ {
		keep = append(keep, make([]byte, 8192))
		if len(keep) > 64 {
			keep = keep[1:]
		}
	}
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Println("gc ran:", m.NumGC > 0, "kept:", len(keep))

	start := time.Now()
	time.Sleep(50 * time.Millisecond)
	took := time.Since(start)
	fmt.Println("slept at least 50ms:", took >= 50*time.Millisecond)
	fmt.Printf("~slept %v\n", took)
	fmt.Println("global:", globalCount)
	os.Exit(0)
}
