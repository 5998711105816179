package web_test

// Browser tests of what staff are typing when a colleague acts first: an
// evaluator judging an answer another evaluator judges meanwhile, and a
// controller answering a SimCell item another controller answers
// meanwhile. The keyboard must stay where it was and the draft in view.

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"cmesim/engine"
	"cmesim/internal/browser"
)

// TestE2EJudgeColleagueFirst: Eva is writing her judgement of colCERT's
// publish when Vic's judgement arrives; the item stays in her queue with
// her draft and the keyboard in the comment, marked as judged by Vic; she
// goes on typing and sends, and the item moves to the judged ones with
// both judgements.
func TestE2EJudgeColleagueFirst(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	shots := shotsDir(t)
	rig := startClosingRig(t, judgedYAML(t), "Fran")
	s, info, control, ana := rig.s, rig.info, rig.control, rig.ana
	api := &testServer{Server: s.Server, URL: s.URL}
	vic := dial(t, join(t, api, info.Codes.Evaluator, "Vic"), info.ID, 0)
	root := browser.New(t)
	eva := newPeople(t, root, "evaluator")[0]
	eva.joinTyped(s.URL, info.Codes.Evaluator, "Eva")
	eva.waitLive("/observer.html")

	steps.step("the team publishes")
	control.mustAck(t, cmd{"type": "start"})
	control.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	ana.mustAck(t, cmd{"type": "publish", "inject": "I01", "text": "Do not open e-mails from nomina-minfin[.]com."})
	item := `#judge-queue li.judge-item[data-key="I01.publish@co-csirt"]`
	comment := item + " .judge-comment"
	eva.waitJS("the answer in the queue", `document.querySelector(`+js(item+` .judge-text`)+`)`)

	steps.step("Eva begins her judgement; Vic's arrives")
	eva.click(item + ` input[value="partly"]`)
	eva.typeInto(comment, "Names the domain.")
	vic.mustAck(t, cmd{"type": "judge", "team": co, "inject": "I01", "expectation": "publish", "rating": "met"})
	eva.waitJS("Vic's judgement", `document.querySelector('li.judge-item[data-key="I01.publish@co-csirt"]').dataset.state === 'judged'`)
	if !evalJS[bool](eva, `document.activeElement === document.querySelector(`+js(comment)+`) && document.querySelector(`+js(item+` input[value="partly"]`)+`).checked`) {
		t.Errorf("Eva's keyboard or rating was lost: the focus is on %s", evalJS[string](eva, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	eva.waitJS("the item marked as judged by Vic, in place", `(() => {
		const li = document.querySelector(`+js(item)+`);
		const mark = li && li.querySelector('.judge-held');
		return li.dataset.state === 'judged' && li.dataset.held === 'true' && !mark.hidden && mark.textContent.startsWith('Vic has just judged this answer: Met, 10/10.');
	})()`)
	eva.checkAxe("a judgement held with a colleague's verdict")
	eva.shootSection(shots, "evaluator-judge-held", item)
	eva.typeInto(comment, " Nothing on reporting.")
	if got := evalJS[string](eva, `document.querySelector(`+js(comment)+`).value`); got != "Names the domain. Nothing on reporting." {
		t.Errorf("Eva's comment reads %q", got)
	}

	steps.step("Eva sends hers: both count")
	eva.click(item + " .judge-submit")
	done := `#judge-done li.judge-item[data-key="I01.publish@co-csirt"]`
	eva.waitJS("the item judged", `document.querySelector(`+js(done)+`)?.dataset.held === 'false' && document.querySelectorAll(`+js(done+` .judge-judgements li`)+`).length === 2`)
	if got := eva.text(done + " .judge-judgements"); !strings.Contains(got, "Vic: Met") || !strings.Contains(got, "Eva: Partly") || !strings.Contains(got, "Nothing on reporting") {
		t.Errorf("the judgements read %q", got)
	}
	if got := evalJS[string](eva, `document.activeElement.id`); got != "judge-count" {
		t.Errorf("after sending, the keyboard is on #%s, want the queue's count", got)
	}
	eva.checkProblems()
}

// TestE2ESimCellAnsweredElsewhere: Fran is writing the ministry's answer
// to colCERT's escalation when Gus answers it; Fran's row stays, with her
// draft and the keyboard in it, marked as answered by Gus and its send
// disabled, until she dismisses it.
func TestE2ESimCellAnsweredElsewhere(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	shots := shotsDir(t)
	src, err := os.ReadFile(exampleYAML)
	if err != nil {
		t.Fatal(err)
	}
	rig := startClosingRig(t, string(src), "Gus")
	s, info, gus, ana := rig.s, rig.info, rig.control, rig.ana
	root := browser.New(t)
	fran := newPeople(t, root, "facilitator")[0]
	fran.joinTyped(s.URL, info.Codes.Facilitator, "Fran")
	fran.waitLive("/facilitator.html")

	steps.step("colCERT escalates to the ministry")
	gus.mustAck(t, cmd{"type": "start"})
	gus.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	esc := ana.mustAck(t, cmd{"type": "escalate", "inject": "I01", "target": "mintic", "text": "Ministry: please decide on blocking."})
	seq := strconv.FormatUint(esc.Seq, 10)
	item := `#simcell-queue li.simcell-item[data-seq="` + seq + `"]`
	text := "#simcell-text-" + seq
	fran.waitJS("the escalation in the SimCell", `document.querySelector(`+js(item)+`)`)

	steps.step("Fran writes an answer; Gus answers first")
	fran.click(item + " .simcell-answer-open")
	fran.waitJS("the form", `document.activeElement === document.querySelector(`+js(text)+`)`)
	fran.typeInto(text, " We call you at noon.")
	gus.mustAck(t, cmd{"type": "simcell_answer", "message": esc.Seq, "kind": "message"})
	fran.waitJS("the status without the item", `document.querySelector('#simcell').dataset.open === '0'`)
	if !evalJS[bool](fran, `document.activeElement === document.querySelector(`+js(text)+`) && document.querySelector(`+js(text)+`).value.endsWith(' We call you at noon.')`) {
		t.Errorf("Fran's keyboard or draft was lost: the focus is on %s", evalJS[string](fran, `document.activeElement.outerHTML.slice(0, 120)`))
	}
	fran.waitJS("the row marked as answered by Gus", `(() => {
		const li = document.querySelector(`+js(item)+`);
		const mark = li && li.querySelector('.simcell-gone');
		return li.dataset.answered === 'true' && !mark.hidden && mark.textContent.startsWith('Gus has already answered this item');
	})()`)
	fran.checkAxe("an answer drafted for an item answered by a colleague")
	fran.shootSection(shots, "facilitator-simcell-answered", item)
	fran.waitStatusFrames(3) // statuses later, the send is still disabled
	if !evalJS[bool](fran, `document.querySelector(`+js(item+` .simcell-send`)+`).disabled`) {
		t.Error("the send of an answered row is enabled")
	}

	steps.step("Fran dismisses the row")
	fran.click(item + " .simcell-gone-dismiss")
	fran.waitJS("the row gone, the keyboard on the heading", `!document.querySelector(`+js(item)+`) && document.activeElement.id === 'simcell-h'`)
	fran.checkProblems()
}

// waitStatusFrames waits, for at most stepTimeout, until p's page has
// received n more status messages (about one a second) than it had.
func (p *person) waitStatusFrames(n int) {
	p.t.Helper()
	statuses := func(msgs []string) int {
		k := 0
		for _, m := range msgs {
			var head struct{ Type string }
			if json.Unmarshal([]byte(m), &head) == nil && head.Type == "status" {
				k++
			}
		}
		return k
	}
	msgs, grew := p.frames.sofar()
	want := statuses(msgs) + n
	timeout := time.NewTimer(stepTimeout)
	defer timeout.Stop()
	for statuses(msgs) < want {
		select {
		case <-grew:
		case <-timeout.C:
			p.t.Fatalf("%s: %d status messages did not come within %s", p.name, n, stepTimeout)
		}
		msgs, grew = p.frames.sofar()
	}
}
