package loadtest_test

import (
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"cmesim/internal/loadtest"
	"cmesim/store/sqlite"
	"cmesim/web"
)

// BenchmarkLiveServer plays the default load (1,000 trainees in 35 teams,
// one action each every 10 s, an ad-hoc inject to all every 2 s, 10× pace)
// for 20 s against an in-process server, with the SQLite store cmesim
// serve uses and without a store, so that a CPU or memory profile shows
// where the server spends its time (the load tool's own share appears
// under cmesim/internal/loadtest and can be left out with -focus):
//
//	go test -run '^$' -bench LiveServer -benchtime 1x -cpuprofile /tmp/cpu.out ./internal/loadtest/
//	go tool pprof -top -focus 'cmesim/(web|engine|store)' /tmp/cpu.out
//
// One iteration is one whole run; use -benchtime 1x.
func BenchmarkLiveServer(b *testing.B) {
	for _, store := range []string{"sqlite", "memory"} {
		b.Run("store="+store, func(b *testing.B) {
			for b.Loop() {
				cfg := web.Config{AdminKey: adminKey}
				if store == "sqlite" {
					db, err := sqlite.Open(filepath.Join(b.TempDir(), "cmesim.db"))
					if err != nil {
						b.Fatal(err)
					}
					defer db.Close()
					cfg.Store = db
				}
				srv, err := web.New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				ts := httptest.NewServer(srv)
				rep, err := loadtest.Run(b.Context(), loadtest.Config{URL: ts.URL, AdminKey: adminKey, Duration: 20 * time.Second})
				ts.Close()
				srv.Close()
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(ms(rep.Delivery.P50), "delivery-p50-ms")
				b.ReportMetric(ms(rep.Delivery.P99), "delivery-p99-ms")
				b.ReportMetric(ms(rep.RTT.P50), "rtt-p50-ms")
				b.ReportMetric(ms(rep.RTT.P99), "rtt-p99-ms")
				b.ReportMetric(float64(rep.Drops()), "drops")
				if testing.Verbose() {
					fmt.Println()
					rep.WriteText(b.Output())
				}
			}
		})
	}
}

func ms(m loadtest.Millis) float64 { return float64(m) / 1e6 }
