package web

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"cmesim/engine"
	"cmesim/scenarios"
)

// attachmentType is how an attached file is served: its content type, and
// whether a browser may show it inline (images and plain text only).
type attachmentType struct {
	ContentType string
	Inline      bool
}

// attachmentTypes is the allowlist of content types by file extension;
// every other file is application/octet-stream. SVG, HTML, XML and the
// like are deliberately absent: they can carry script.
var attachmentTypes = map[string]attachmentType{
	".pdf":    {"application/pdf", false},
	".png":    {"image/png", true},
	".jpg":    {"image/jpeg", true},
	".jpeg":   {"image/jpeg", true},
	".gif":    {"image/gif", true},
	".webp":   {"image/webp", true},
	".txt":    {"text/plain; charset=utf-8", true},
	".log":    {"text/plain; charset=utf-8", true},
	".csv":    {"text/csv; charset=utf-8", true},
	".json":   {"application/json", false},
	".pcap":   {"application/vnd.tcpdump.pcap", false},
	".pcapng": {"application/vnd.tcpdump.pcap", false},
	".eml":    {"message/rfc822", false},
	".zip":    {"application/zip", false},
	".gz":     {"application/gzip", false},
	".evtx":   {"application/octet-stream", false},
}

// typeOfAttachment returns how the file at rel is served.
func typeOfAttachment(rel string) attachmentType {
	if t, ok := attachmentTypes[strings.ToLower(path.Ext(rel))]; ok {
		return t
	}
	return attachmentType{ContentType: "application/octet-stream"}
}

// inlineAttachmentCSP is the policy of an attachment shown inline: no
// script, no plugin, nothing loaded, in a sandbox.
const inlineAttachmentCSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"

// attachmentURL is where a delivered inject's i-th attachment file is
// downloaded.
func attachmentURL(exercise, inject string, i int) string {
	return fmt.Sprintf("/api/exercises/%s/injects/%s/attachments/%d", exercise, inject, i)
}

// attachmentView renders an inject's i-th attachment in lang ("" for the
// original): its text, or the link, size and type of its file.
func (le *liveExercise) attachmentView(in *scenarios.Inject, i int, lang string) attachmentView {
	a := &in.Attachments[i]
	name, content := a.NameIn(lang)
	v := attachmentView{Name: name, Kind: string(a.Kind), Content: content}
	if a.File != "" {
		t := typeOfAttachment(a.File)
		v.Content, v.URL, v.Size, v.Type, v.Inline = "", attachmentURL(le.id, in.ID, i), a.Size, t.ContentType, t.Inline
	}
	return v
}

// handleAttachment serves an attached file of an inject to a participant
// who may read it: staff always, trainees once the inject reached their
// team. It is a download unless ?disposition=inline asks to show an image
// or a text inline.
func (s *Server) handleAttachment(w http.ResponseWriter, r *http.Request, sess *Session, le *liveExercise) {
	in, ok := le.scn.Inject(r.PathValue("inject"))
	i, err := strconv.Atoi(r.PathValue("n"))
	if !ok || err != nil || i < 0 || i >= len(in.Attachments) {
		writeError(w, s.log, engine.Errorf(engine.CodeNotFound, "no such attachment"))
		return
	}
	a := &in.Attachments[i]
	data, ok := le.scn.AttachmentFile(a)
	if !ok {
		writeError(w, s.log, engine.Errorf(engine.CodeNotFound, "this attachment is text, not a file"))
		return
	}
	if !sess.IsStaff() {
		delivered, err := le.deliveredTo(r, sess.Team, in.ID)
		if err != nil {
			writeError(w, s.log, err)
			return
		}
		if !delivered {
			// The same answer as for an inject that does not exist: a team
			// learns nothing of injects it has not received.
			writeError(w, s.log, engine.Errorf(engine.CodeNotFound, "no such attachment"))
			return
		}
	}
	t := typeOfAttachment(a.File)
	name, _ := a.NameIn(string(requestLang(r)))
	disposition := "attachment"
	h := w.Header()
	if r.URL.Query().Get("disposition") == "inline" && t.Inline {
		disposition = "inline"
		h.Set("Content-Security-Policy", inlineAttachmentCSP)
	}
	h.Set("Content-Type", t.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": downloadName(name, a.File)}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-cache")
	h.Set("ETag", `"`+a.SHA256+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// deliveredTo reports whether inject has reached team.
func (le *liveExercise) deliveredTo(r *http.Request, team, inject string) (bool, error) {
	if team == "" {
		return false, nil
	}
	var ok bool
	err := le.inspect(r.Context(), func(x *engine.Exercise) {
		_, ok = x.State().Delivered(team, inject)
	})
	return ok, err
}

// downloadName is the file name a download is saved under: the
// attachment's name without path separators or control characters, or the
// file's own name when nothing is left.
func downloadName(name, file string) string {
	clean := strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '/' || r == '\\' || r == '"' {
			return -1
		}
		return r
	}, name)
	if strings.Trim(clean, ". ") == "" {
		return path.Base(file)
	}
	return clean
}
