package web_test

// Browser test of the join page while it is still loading: a name typed
// before the page's language is ready is the name the person joins with.

import (
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"cmesim/internal/browser"
)

// holdCatalogs makes the join page's catalog requests wait for
// window.__releaseCatalogs(), as on a slow connection.
const holdCatalogs = `(() => {
  if (location.pathname !== '/') return;
  const real = window.fetch.bind(window);
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  window.__releaseCatalogs = () => release();
  window.fetch = (url, init) => String(url).startsWith('/i18n/') ? released.then(() => real(url, init)) : real(url, init);
})();`

// TestE2EJoinNameTypedWhileLoading: Eva types the evaluator code and her
// name before the join page has its language; the page then fills in the
// name it remembers (none, in a new browser) and must not wipe hers.
func TestE2EJoinNameTypedWhileLoading(t *testing.T) {
	s := startE2E(t)
	info := s.createExercise(t)
	eva := newPeople(t, browser.New(t), "evaluator")[0]
	if _, err := chromedp.Call(eva.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: holdCatalogs}); err != nil {
		t.Fatal(err)
	}
	eva.navigate(s.URL + "/")
	eva.typeInto("#join-code", info.Codes.Evaluator)
	eva.typeInto("#join-name", "Eva")
	evalJS[bool](eva, `(window.__releaseCatalogs(), true)`)
	eva.waitJS("the page ready", `document.querySelector('#language-picker')`)
	if got := evalJS[string](eva, `document.querySelector('#join-name').value`); got != "Eva" {
		t.Fatalf("the name typed while the page loaded reads %q, want Eva", got)
	}
	eva.click("#join-submit")
	eva.waitLive("/observer.html")
	if got := evalJS[string](eva, `document.querySelector('.topbar').textContent`); !strings.Contains(got, "Eva") {
		t.Errorf("the console's header reads %q, without Eva", got)
	}
	eva.checkProblems()
}
