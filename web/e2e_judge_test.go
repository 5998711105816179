package web_test

import (
	"strings"
	"testing"

	"cmesim/engine"
	"cmesim/internal/browser"
)

// TestE2EJudge plays a judged publish in Chromium: the trainee publishes,
// the evaluator finds the answer in the "To judge" queue with the team's
// text and the criteria and rates it partly met, and the facilitator sees
// the team's score go from provisional to judged; then the facilitator, as
// lead evaluator, decides, and the evaluator sees the decision.
func TestE2EJudge(t *testing.T) {
	steps := newStepper(t)
	defer steps.end()

	steps.step("set up")
	rig := startClosingRig(t, judgedYAML(t), "Fran")
	s, info, control, ana := rig.s, rig.info, rig.control, rig.ana
	root := browser.New(t)
	people := newPeople(t, root, "facilitator", "evaluator")
	fac, eva := people[0], people[1]
	shots := shotsDir(t)
	fac.joinTyped(s.URL, info.Codes.Facilitator, "")
	fac.waitLive("/facilitator.html")
	eva.joinTyped(s.URL, info.Codes.Evaluator, "Eva")
	eva.waitLive("/observer.html")
	eva.waitJS("the empty queue", `!document.querySelector('#judge-panel').hidden && document.querySelector('#judge-count').dataset.count === undefined`)

	steps.step("the team publishes: a provisional score")
	control.mustAck(t, cmd{"type": "start"})
	control.jump(t)
	ana.next(t, isEvent(engine.EventInjectDelivered, "I01"))
	const statement = "Do not open e-mails from nomina-minfin[.]com; delete them."
	ana.mustAck(t, cmd{"type": "publish", "inject": "I01", "text": statement})
	item := `#judge-queue li.judge-item[data-key="I01.publish@co-csirt"]`
	eva.waitJS("the answer in the queue", `document.querySelector(`+js(item+` .judge-text`)+`)?.textContent === `+js(statement))
	if got := eva.text(item + " .judge-criteria"); got != judgedCriteria {
		t.Errorf("the criteria shown are %q", got)
	}
	if got := eva.text("#judge-count"); !strings.Contains(got, "1") {
		t.Errorf("the queue count reads %q", got)
	}
	score := `#team-grid tr[data-team="co-csirt"] .score`
	fac.waitJS("the provisional score", `document.querySelector(`+js(score)+`).dataset.provisional === '10' && document.querySelector(`+js(score)+`).textContent.includes('provisional')`)
	eva.checkAxe("queue with an answer")
	eva.shoot(shots, "judge-evaluator")

	steps.step("the evaluator judges it partly met")
	eva.click(item + ` input[value="partly"]`)
	eva.waitJS("the default points of partly", `document.querySelector(`+js(item+` .judge-points`)+`).value === '5'`)
	eva.typeInto(item+" .judge-comment", "Names the domain; says nothing about reporting.")
	eva.click(item + " .judge-submit")
	done := `#judge-done li.judge-item[data-key="I01.publish@co-csirt"]`
	eva.waitJS("the item judged", `document.querySelector(`+js(done)+`)?.dataset.state === 'judged'`)
	fac.waitJS("the judged score", `document.querySelector(`+js(score)+`).dataset.provisional === '0' && document.querySelector(`+js(score)+`).dataset.score === '5' && !document.querySelector(`+js(score)+`).textContent.includes('provisional')`)
	if got := fac.text(done + " .judge-judgements"); !strings.Contains(got, "Eva") || !strings.Contains(got, "Partly") || !strings.Contains(got, "reporting") {
		t.Errorf("the facilitator reads the judgement as %q", got)
	}

	steps.step("the lead decides")
	fac.click("#judge-panel .judge-done-wrap summary")
	fac.click(done + ` input[value="met"]`)
	fac.waitJS("the default points of met", `document.querySelector(`+js(done+` .judge-points`)+`).value === '10'`)
	fac.click(done + " .judge-submit")
	eva.waitJS("the decision", `document.querySelector(`+js(done)+`)?.dataset.state === 'decided'`)
	fac.waitJS("the decided score", `document.querySelector(`+js(score)+`).dataset.score === '10'`)
	fac.checkAxe("a decided judgement")
	fac.shoot(shots, "judge-facilitator")
	eva.shoot(shots, "judge-evaluator-decided")
	fac.checkProblems()
	eva.checkProblems()
}
