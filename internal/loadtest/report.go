package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is what a load test measured. Latencies are in milliseconds in
// its JSON form.
type Report struct {
	// Mode is "active" (trainees act, the facilitator sends ad-hoc
	// injects), "flood" (the same, then with one trainee flooding) or
	// "idle" (connections only).
	Mode          string    `json:"mode"`
	Target        string    `json:"target"`
	StartedServer bool      `json:"started_server"`
	Started       time.Time `json:"started"`
	Settings      Settings  `json:"settings"`
	Machine       Machine   `json:"machine"`

	// JoinSeconds is the time to create the exercise and join everyone,
	// ConnectSeconds to open every WebSocket, WindowSeconds the time the
	// load ran.
	JoinSeconds    float64 `json:"join_seconds"`
	ConnectSeconds float64 `json:"connect_seconds"`
	WindowSeconds  float64 `json:"window_seconds"`

	// Delivery is the latency from the facilitator's send_inject to each
	// trainee receiving the inject.delivered event (command, engine and
	// fan-out, end to end).
	Delivery Stats `json:"inject_delivery"`
	// DeliveryFirst and DeliveryLast take one sample per ad-hoc inject:
	// the time to its first recipient (command and engine) and to its last
	// (plus the whole fan-out).
	DeliveryFirst Stats `json:"inject_delivery_first"`
	DeliveryLast  Stats `json:"inject_delivery_last"`
	// DeliveryAtSocket is Delivery measured to the moment the event's
	// bytes reached the trainee's socket (the kernel's receive timestamp)
	// rather than to the moment the tool read them, and
	// DeliveryLastAtSocket the same for DeliveryLast. With the clients on
	// the server's own cores, the difference is time a message waited for
	// its client to be scheduled. Linux only; empty elsewhere.
	DeliveryAtSocket     Stats `json:"inject_delivery_at_socket"`
	DeliveryLastAtSocket Stats `json:"inject_delivery_last_at_socket"`
	// MessageDelivery is the latency from a trainee's message command to
	// each trainee of an addressed team receiving the message.sent event
	// (with Config.MessageEvery).
	MessageDelivery Stats `json:"message_delivery"`
	// RTT is a trainee command's round trip, from the write to its ack.
	RTT Stats `json:"command_rtt"`
	// FacilitatorRTT is the same for the facilitator's commands.
	FacilitatorRTT Stats `json:"facilitator_rtt"`

	Counts Counts       `json:"counts"`
	Server ServerReport `json:"server"`
	// Store is the PostgreSQL database of the servers the tool started
	// (password hidden); empty when each had its own SQLite database.
	Store string `json:"store,omitempty"`
	// Servers breaks a run on several servers down by server, the first
	// (which created the exercise and owns it) first; Server is then the
	// first one's.
	Servers []ServerShare `json:"servers,omitempty"`
	// ToolPeakRSSBytes is the load tool's own peak memory, ToolCPUSeconds
	// the CPU time it used while the load ran.
	ToolPeakRSSBytes int64   `json:"tool_peak_rss_bytes,omitempty"`
	ToolCPUSeconds   float64 `json:"tool_cpu_seconds,omitempty"`

	// Flood compares the other teams' latency before and during the
	// flood of a run with Config.Flood ("flood" mode); nil otherwise.
	Flood *FloodReport `json:"flood,omitempty"`

	// Violations lists the gates the run broke (filled in by the caller
	// from Check).
	Violations []string `json:"violations,omitempty"`
}

// Settings are the parameters of the run.
type Settings struct {
	Trainees   int     `json:"trainees"`
	Teams      int     `json:"teams"`
	Duration   string  `json:"duration"`
	Interval   string  `json:"interval"`
	Speed      float64 `json:"speed"`
	AdHocEvery string  `json:"adhoc_every"`
	// MessageEvery is how often each trainee sent a message, if it did.
	MessageEvery string `json:"message_every,omitempty"`
	Flood        int    `json:"flood_sockets,omitempty"`
	FloodText    int    `json:"flood_text_bytes,omitempty"`
}

// Machine describes where the tool ran.
type Machine struct {
	OS         string `json:"os"`
	CPUs       int    `json:"cpus"`
	GOMAXPROCS int    `json:"gomaxprocs"`
	Go         string `json:"go"`
	// LoadAverage is the machine's one-minute load average when the run
	// started and when it ended (Linux only): other work on the machine
	// shares the CPUs with the server and the tool.
	LoadAverage [2]float64 `json:"load_average,omitempty"`
}

// Counts are the totals of the run.
type Counts struct {
	Connected int `json:"connected"`
	// Commands trainees sent, and the acks and errors they got back;
	// Unanswered were lost with a connection or still had no answer when
	// the run ended, settleTimeout after the load.
	Commands    int64            `json:"commands"`
	Acks        int64            `json:"acks"`
	ErrorsTotal int64            `json:"errors_total"`
	Errors      map[string]int64 `json:"errors"`
	Unanswered  int64            `json:"unanswered"`
	WriteErrors int64            `json:"write_errors"`
	// SkippedNoInject counts trainee turns with nothing yet to act on,
	// SkippedOffline turns while reconnecting.
	SkippedNoInject     int64 `json:"skipped_no_inject"`
	SkippedOffline      int64 `json:"skipped_offline"`
	FacilitatorCommands int64 `json:"facilitator_commands"`
	FacilitatorAcks     int64 `json:"facilitator_acks"`

	ProbesAccepted          int64 `json:"adhoc_injects"`
	ProbeDeliveries         int64 `json:"adhoc_deliveries"`
	ProbeDeliveriesExpected int64 `json:"adhoc_deliveries_expected"`
	ProbeDeliveriesMissing  int64 `json:"adhoc_deliveries_missing"`
	ScheduledDeliveries     int64 `json:"scheduled_deliveries"`
	StaffDeliveries         int64 `json:"facilitator_deliveries"`
	// Duplicates counts ad-hoc injects a trainee received twice, which
	// the protocol rules out even across reconnects.
	Duplicates int64 `json:"duplicate_deliveries"`
	// TeamMessagesSent counts the trainees' messages to other teams (with
	// Config.MessageEvery), TeamMessagesReceived their receptions by the
	// trainees of addressed teams.
	TeamMessagesSent     int64 `json:"team_messages_sent,omitempty"`
	TeamMessagesReceived int64 `json:"team_messages_received,omitempty"`

	Messages int64 `json:"messages"`
	// Frames counts the WebSocket frames the messages came in: fewer than
	// the messages when the server sent several queued ones as a batch.
	Frames    int64 `json:"frames"`
	Events    int64 `json:"events"`
	Statuses  int64 `json:"statuses"`
	Malformed int64 `json:"malformed"`
	// UnstampedFrames counts the frames whose read carried no kernel
	// receive timestamp: their deliveries count at the socket as when
	// they were read. All of them, where the kernel ignores the request
	// for timestamps; none or a few, where it honours it.
	UnstampedFrames int64 `json:"frames_without_receive_timestamp,omitempty"`

	// Drops are connections that closed without the tool asking: closed by
	// the server for falling behind (code 1013) or failed otherwise.
	Drops        int64 `json:"drops"`
	DropsTooSlow int64 `json:"drops_too_slow"`
	DropsError   int64 `json:"drops_error"`
	// FacilitatorDrops are the drops of the facilitator's connection,
	// which receives every team's events.
	FacilitatorDrops  int64 `json:"facilitator_drops"`
	Reconnects        int64 `json:"reconnects"`
	ReconnectFailures int64 `json:"reconnect_failures"`
}

// ServerReport is the server's side: its metrics before the load (after
// the exercise was created), their peak and their values at the end.
type ServerReport struct {
	PID      int           `json:"pid,omitempty"`
	Baseline ServerMetrics `json:"baseline"`
	Peak     ServerMetrics `json:"peak"`
	End      ServerMetrics `json:"end"`
	// Proc is /proc/PID/status at the end, when the tool started the
	// server.
	Proc *ProcStatus `json:"proc,omitempty"`
	// PeakRSSBytes is the highest resident set seen (VmHWM when known).
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
	// Connections is the WebSockets the tool held open.
	Connections int64 `json:"connections"`
	// PerConnectionBytes estimates memory per connection as (peak RSS −
	// baseline RSS) / connections; PerConnectionHeapBytes the same from
	// the live heap.
	PerConnectionBytes     int64 `json:"per_connection_bytes"`
	PerConnectionHeapBytes int64 `json:"per_connection_heap_bytes"`
	// CPUSeconds is the CPU time (user and system) the server used while
	// the load ran, when the tool started it.
	CPUSeconds float64 `json:"cpu_seconds,omitempty"`
}

// queueDrops is how many clients the server dropped for a full send
// queue while the tool watched.
func (s *ServerReport) queueDrops() int64 {
	return s.End.SendQueueDrops - s.Baseline.SendQueueDrops
}

// finish works out the peak memory and the memory per connection for
// connections WebSockets.
func (s *ServerReport) finish(connections int64) {
	s.PeakRSSBytes = s.Peak.RSSBytes
	if s.Proc != nil {
		s.PeakRSSBytes = max(s.PeakRSSBytes, s.Proc.VmHWMBytes)
	}
	s.Connections = connections
	if connections > 0 {
		s.PerConnectionBytes = (s.PeakRSSBytes - s.Baseline.RSSBytes) / connections
		s.PerConnectionHeapBytes = (s.Peak.HeapAllocBytes - s.Baseline.HeapAllocBytes) / connections
	}
}

// ServerShare is one server of a run on several: what it does with the
// exercise, the trainees connected to it and what they measured, and the
// server's own metrics.
type ServerShare struct {
	URL string `json:"url"`
	// Role is "owner" (it runs the exercise and writes its log) or
	// "follower" (it follows the owner's log and forwards its clients'
	// commands to it), from its metrics before the load; "owner →
	// follower" and the like when that changed by the end.
	Role     string `json:"role"`
	Trainees int    `json:"trainees"`
	// Delivery, DeliveryFirst, DeliveryLast, DeliveryAtSocket and RTT
	// are the Report's figures of the same names among the trainees
	// connected to this server. A follower's DeliveryFirst less the
	// owner's is about the time an event takes to reach the follower's
	// clients through the database.
	Delivery      Stats `json:"inject_delivery"`
	DeliveryFirst Stats `json:"inject_delivery_first"`
	DeliveryLast  Stats `json:"inject_delivery_last"`
	// DeliveryAtSocket is empty where the tool reads no receive
	// timestamps (outside Linux).
	DeliveryAtSocket Stats `json:"inject_delivery_at_socket"`
	RTT              Stats `json:"command_rtt"`
	// Commands, Acks and Errors are the trainees' commands and their
	// answers; Unanswered, Drops and Reconnects count the facilitator's
	// too.
	Commands                int64 `json:"commands"`
	Acks                    int64 `json:"acks"`
	Errors                  int64 `json:"errors"`
	Unanswered              int64 `json:"unanswered"`
	ProbeDeliveries         int64 `json:"adhoc_deliveries"`
	ProbeDeliveriesExpected int64 `json:"adhoc_deliveries_expected"`
	Drops                   int64 `json:"drops"`
	Reconnects              int64 `json:"reconnects"`

	Server ServerReport `json:"server"`
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report as a readable table.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	s := r.Settings
	if r.Mode == "idle" {
		fmt.Fprintf(&b, "cmesim loadtest (idle): %d idle trainee connections in %d teams, held %s\n", s.Trainees, s.Teams, s.Duration)
	} else {
		fmt.Fprintf(&b, "cmesim loadtest: %d trainees in %d teams, %s at %g× real time; one action per trainee every %s, an ad-hoc inject to all every %s\n",
			s.Trainees, s.Teams, s.Duration, s.Speed, s.Interval, s.AdHocEvery)
	}
	target, who := "target "+r.Target, "running server"
	if r.StartedServer {
		who = fmt.Sprintf("server started by the tool, pid %d", r.Server.PID)
	}
	if len(r.Servers) > 0 {
		var urls, pids []string
		for _, s := range r.Servers {
			urls = append(urls, s.URL)
			pids = append(pids, strconv.Itoa(s.Server.PID))
		}
		target, who = "targets "+strings.Join(urls, ", "), "servers started by the tool, pids "+strings.Join(pids, ", ")
	}
	if r.Store != "" {
		who += "; store " + r.Store
	}
	m := r.Machine
	fmt.Fprintf(&b, "%s (%s); %s, %d CPUs, GOMAXPROCS %d, %s, load average %.1f → %.1f\n",
		target, who, m.OS, m.CPUs, m.GOMAXPROCS, m.Go, m.LoadAverage[0], m.LoadAverage[1])
	if r.Mode == "flood" {
		fmt.Fprintf(&b, "then %s more with one trainee flooding report actions of %d bytes of text over %d WebSockets of one session\n", s.Duration, s.FloodText, s.Flood)
	}
	fmt.Fprintf(&b, "setup: joins %.1fs, WebSockets %.1fs; load ran %.1fs\n\n", r.JoinSeconds, r.ConnectSeconds, r.WindowSeconds)

	if r.Mode != "idle" {
		var table strings.Builder
		tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%-20s\tcount\tp50\tp90\tp99\tp99.9\tmax\tmean\t\n", "latency")
		row := func(name string, st Stats) {
			fmt.Fprintf(tw, "%-20s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", name, st.Count, st.P50, st.P90, st.P99, st.P999, st.Max, st.Mean)
		}
		row("inject delivery", r.Delivery)
		row("  to first trainee", r.DeliveryFirst)
		row("  to last trainee", r.DeliveryLast)
		if r.DeliveryAtSocket.Count > 0 {
			row("  at the socket", r.DeliveryAtSocket)
			row("    to last trainee", r.DeliveryLastAtSocket)
		}
		if r.MessageDelivery.Count > 0 {
			row("message delivery", r.MessageDelivery)
		}
		row("command round trip", r.RTT)
		row("facilitator command", r.FacilitatorRTT)
		for i, s := range r.Servers {
			// Empty cells keep the columns of the rows below aligned with
			// those above; their padding is trimmed below.
			fmt.Fprintf(tw, "%-20s\t\t\t\t\t\t\t\t\n", fmt.Sprintf("server %d (%s)", i+1, s.Role))
			row("  inject delivery", s.Delivery)
			row("    to first trainee", s.DeliveryFirst)
			row("    to last trainee", s.DeliveryLast)
			if s.DeliveryAtSocket.Count > 0 {
				row("    at the socket", s.DeliveryAtSocket)
			}
			row("  command round trip", s.RTT)
		}
		tw.Flush()
		for line := range strings.Lines(table.String()) {
			b.WriteString(strings.TrimRight(line, " \n") + "\n")
		}
		if c := r.Counts; r.DeliveryAtSocket.Count > 0 && c.UnstampedFrames > 0 {
			fmt.Fprintf(&b, "(at the socket: %d of %d frames carried no receive timestamp from the kernel and count as when read)\n", c.UnstampedFrames, c.Frames)
		}
		b.WriteString("\n")
		c := r.Counts
		fmt.Fprintf(&b, "commands: %d sent, %d acked, %d errors%s, %d unanswered; %d turns with no inject yet, %d while reconnecting\n",
			c.Commands, c.Acks, c.ErrorsTotal, formatErrors(c.Errors), c.Unanswered, c.SkippedNoInject, c.SkippedOffline)
		fmt.Fprintf(&b, "deliveries: ad-hoc %d of %d expected (%d injects, %d missing, %d twice), scheduled %d; facilitator saw %d\n",
			c.ProbeDeliveries, c.ProbeDeliveriesExpected, c.ProbesAccepted, c.ProbeDeliveriesMissing, c.Duplicates, c.ScheduledDeliveries, c.StaffDeliveries)
	}
	c := r.Counts
	fmt.Fprintf(&b, "messages received: %d in %d frames (%d events, %d status)\n", c.Messages, c.Frames, c.Events, c.Statuses)
	connections, peak := r.Server.Connections, r.Server.Peak.Connections
	if len(r.Servers) > 0 {
		connections, peak = 0, 0
		for _, s := range r.Servers {
			connections += s.Server.Connections
			peak += s.Server.Peak.Connections
		}
	}
	fmt.Fprintf(&b, "connections: %d (server peak gauge %d); drops %d (too slow %d, errors %d; the facilitator's %d); server queue drops %d; reconnects %d\n",
		connections, peak, c.Drops, c.DropsTooSlow, c.DropsError, c.FacilitatorDrops, r.queueDrops(), c.Reconnects)
	if len(r.Servers) == 0 {
		sv := r.Server
		fmt.Fprintf(&b, "server memory: %s\n", memory(sv))
		fmt.Fprintf(&b, "per connection: %s\n", perConnection(sv))
		if sv.CPUSeconds > 0 {
			fmt.Fprintf(&b, "server CPU while loaded: %s\n", r.cpu(sv.CPUSeconds))
		}
	}
	for i, s := range r.Servers {
		r.writeShare(&b, i+1, s)
	}
	if r.Flood != nil {
		r.Flood.writeText(&b)
	}
	if r.ToolPeakRSSBytes > 0 {
		fmt.Fprintf(&b, "load tool: %s peak RSS, %.1f s CPU while loading (%.0f%% of one core)\n",
			formatBytes(r.ToolPeakRSSBytes), r.ToolCPUSeconds, 100*r.ToolCPUSeconds/r.WindowSeconds)
	}
	if len(r.Violations) > 0 {
		b.WriteString("\nGATE FAILED:\n")
		for _, v := range r.Violations {
			fmt.Fprintf(&b, "  - %s\n", v)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeShare writes what the n-th server of a run on several did.
func (r *Report) writeShare(b *strings.Builder, n int, s ServerShare) {
	sv := s.Server
	fmt.Fprintf(b, "server %d (%s) %s, pid %d: %d trainees", n, s.Role, s.URL, sv.PID, s.Trainees)
	if r.Mode != "idle" {
		fmt.Fprintf(b, "; commands %d sent, %d acked, %d errors, %d unanswered; ad-hoc %d of %d",
			s.Commands, s.Acks, s.Errors, s.Unanswered, s.ProbeDeliveries, s.ProbeDeliveriesExpected)
	}
	fmt.Fprintf(b, "; drops %d, reconnects %d\n", s.Drops, s.Reconnects)
	fmt.Fprintf(b, "  memory: %s\n", memory(sv))
	fmt.Fprintf(b, "  connections %d (peak gauge %d), queue drops %d; per connection: %s\n",
		sv.Connections, sv.Peak.Connections, sv.queueDrops(), perConnection(sv))
	if sv.CPUSeconds > 0 {
		fmt.Fprintf(b, "  CPU while loaded: %s\n", r.cpu(sv.CPUSeconds))
	}
}

// memory describes a server's memory before the load and at its peak.
func memory(sv ServerReport) string {
	s := fmt.Sprintf("RSS %s before, %s peak", formatBytes(sv.Baseline.RSSBytes), formatBytes(sv.PeakRSSBytes))
	if sv.Proc != nil {
		s += fmt.Sprintf(" (VmHWM %s, VmRSS at end %s)", formatBytes(sv.Proc.VmHWMBytes), formatBytes(sv.Proc.VmRSSBytes))
	}
	return s + fmt.Sprintf("; heap %s before, %s peak; %d goroutines at peak", formatBytes(sv.Baseline.HeapAllocBytes), formatBytes(sv.Peak.HeapAllocBytes), sv.Peak.Goroutines)
}

// perConnection describes a server's memory per connection.
func perConnection(sv ServerReport) string {
	return fmt.Sprintf("%s RSS, %s heap", formatBytes(sv.PerConnectionBytes), formatBytes(sv.PerConnectionHeapBytes))
}

// cpu describes CPU seconds used while the load ran.
func (r *Report) cpu(seconds float64) string {
	return fmt.Sprintf("%.1f s (%.0f%% of one core)", seconds, 100*seconds/r.WindowSeconds)
}

func formatErrors(errs map[string]int64) string {
	if len(errs) == 0 {
		return ""
	}
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(errs)) {
		parts = append(parts, fmt.Sprintf("%s %d", code, errs[code]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// formatBytes writes a size in binary units, "48.2 MiB".
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit && n > -unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), 0
	for ; (f >= unit || f <= -unit) && i < 3; i++ {
		f /= unit
	}
	return fmt.Sprintf("%.1f %s", f, []string{"B", "KiB", "MiB", "GiB"}[i])
}

// writeText writes the flood's comparison and what the flood did.
func (f *FloodReport) writeText(b *strings.Builder) {
	fmt.Fprintf(b, "\nflood by one trainee of %s: sockets %d tried, %d opened, %d refused (4029), %d dropped, %d failed; reports %d sent, %d accepted (%s of text), refused%s\n",
		f.Team, f.Sockets, f.Opened, f.Refused, f.Dropped, f.Failed, f.Sent, f.Acked, formatBytes(f.AcceptedTextBytes), formatErrors(f.Errors))
	fmt.Fprintf(b, "server: %d events before the flood, %d during it; RSS %s at the start, %s when the flood began, %s at its end\n",
		f.ReferenceEvents, f.FloodEvents, formatBytes(f.RSSBytes[0]), formatBytes(f.RSSBytes[1]), formatBytes(f.RSSBytes[2]))
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%-28s\tcount\tp50\tp90\tp99\tmax\t\n", "other teams")
	row := func(name string, st Stats) {
		fmt.Fprintf(tw, "%-28s\t%d\t%s\t%s\t%s\t%s\t\n", name, st.Count, st.P50, st.P90, st.P99, st.Max)
	}
	row("command round trip, before", f.ReferenceRTT)
	row("command round trip, during", f.FloodRTT)
	row("inject delivery, before", f.ReferenceDelivery)
	row("inject delivery, during", f.FloodDelivery)
	tw.Flush()
	for line := range strings.Lines(table.String()) {
		b.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	fmt.Fprintf(b, "during / before: command round trip p50 ×%.2f, p99 ×%.2f; inject delivery p99 ×%.2f\n", f.RTTRatioP50, f.RTTRatioP99, f.DeliveryRatioP99)
}
