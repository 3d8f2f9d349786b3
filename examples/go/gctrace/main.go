// The garbage collector at work: a loop allocates 40 MB in 8 KiB blocks
// and keeps only the last 64 of them (in a ring: a slice that dropped its
// first element would still hold it in its array), so nearly everything
// becomes garbage at once. With GODEBUG=gctrace=1 in its environment (on mematlas: on the
// kernel's command line) the runtime prints a "gc N @..." line on standard
// error for each collection. The program prints the runtime's memory
// statistics before and after a forced collection (runtime.GC). Lines that
// start with "gctrace:" hold numbers that vary from run to run; the others
// do not.
package main

import (
	"fmt"
	"runtime"
)

const (
	blocks    = 5000
	blockSize = 8 << 10
	kept      = 64
)

func stats(when string) runtime.MemStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("gctrace: %s: HeapAlloc=%d HeapSys=%d HeapInuse=%d HeapReleased=%d Sys=%d NumGC=%d TotalAlloc=%d\n",
		when, m.HeapAlloc, m.HeapSys, m.HeapInuse, m.HeapReleased, m.Sys, m.NumGC, m.TotalAlloc)
	return m
}

func main() {
	var keep [kept][]byte
	for i := 0; i < blocks; i++ {
		keep[i%kept] = make([]byte, blockSize)
	}
	// Garbage that no collection has seen yet: counted in HeapAlloc until
	// the next one.
	junk := make([]byte, 4<<20)
	junk[0] = 1
	before := stats("before runtime.GC")
	junk = nil
	runtime.GC()
	after := stats("after runtime.GC")
	fmt.Println("blocks kept:", len(keep), "of", blocks)
	fmt.Println("allocated at least 40 MB:", after.TotalAlloc >= blocks*blockSize)
	fmt.Println("collections during the loop:", before.NumGC > 0)
	fmt.Println("runtime.GC added one:", after.NumGC > before.NumGC)
	fmt.Println("less live heap after it:", after.HeapAlloc < before.HeapAlloc)
	runtime.KeepAlive(&keep)
}
