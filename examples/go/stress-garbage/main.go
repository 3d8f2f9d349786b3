// 100 MB of garbage with a small live set: 3,200 blocks of 32 KiB, of
// which only the last 16 (512 KiB) are kept at any time. The collector
// runs many times and the heap stays a few megabytes (how many depends on
// how fast the collector keeps up: on the line that starts with
// "stress-garbage:", with the other numbers that vary from run to run).
package main

import (
	"fmt"
	"runtime"
)

const (
	blocks    = 3200
	blockSize = 32 << 10
	live      = 16
)

func main() {
	var ring [live][]byte
	sum := 0
	for i := 0; i < blocks; i++ {
		b := make([]byte, blockSize)
		b[i%blockSize] = byte(i)
		if ring[i%live] == nil {
			sum++
		}
		ring[i%live] = b
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Printf("stress-garbage: TotalAlloc=%d HeapSys=%d Sys=%d NumGC=%d\n",
		m.TotalAlloc, m.HeapSys, m.Sys, m.NumGC)
	fmt.Println("allocated:", blocks*blockSize/1000000, "MB; slots filled:", sum)
	fmt.Println("allocated at least 100 MB:", m.TotalAlloc >= blocks*blockSize)
	fmt.Println("collected along the way:", m.NumGC > 0)
	runtime.KeepAlive(ring)
}
