package scenarios

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// MaxAttachmentSize and MaxAttachmentsSize are the default limits on
// attached files: 8 MiB per file and 32 MiB for all the files of a scenario.
// SetAttachmentLimits changes them.
const (
	MaxAttachmentSize  = 8 << 20
	MaxAttachmentsSize = 32 << 20
)

// The limits in force.
var attachmentLimit, attachmentsLimit atomic.Int64

func init() {
	attachmentLimit.Store(MaxAttachmentSize)
	attachmentsLimit.Store(MaxAttachmentsSize)
}

// SetAttachmentLimits sets the largest attached file and the largest total
// of a scenario's attached files, in bytes; a value ≤ 0 restores its
// default. It is safe to call while scenarios load.
func SetAttachmentLimits(perFile, perScenario int64) {
	if perFile <= 0 {
		perFile = MaxAttachmentSize
	}
	if perScenario <= 0 {
		perScenario = MaxAttachmentsSize
	}
	attachmentLimit.Store(perFile)
	attachmentsLimit.Store(perScenario)
}

// AttachmentLimits returns the largest attached file and the largest total
// of a scenario's attached files, in bytes.
func AttachmentLimits() (perFile, perScenario int64) {
	return attachmentLimit.Load(), attachmentsLimit.Load()
}

// AttachmentSource gives the loader the files a scenario attaches, by clean
// slash-separated path relative to the scenario file.
type AttachmentSource interface {
	// Size returns the size of the file in bytes, or an error wrapping
	// fs.ErrNotExist when there is no such regular file.
	Size(rel string) (int64, error)
	// Read returns the file's bytes.
	Read(rel string) ([]byte, error)
}

// FileMap is an AttachmentSource held in memory: the files a store or an
// archive kept for a scenario, by path relative to the scenario.
type FileMap map[string][]byte

// Size returns the size of the file at rel.
func (m FileMap) Size(rel string) (int64, error) {
	b, ok := m[rel]
	if !ok {
		return 0, fs.ErrNotExist
	}
	return int64(len(b)), nil
}

// Read returns the file at rel.
func (m FileMap) Read(rel string) ([]byte, error) {
	b, ok := m[rel]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return b, nil
}

// dirSource reads attached files from a directory of a file system.
type dirSource struct {
	fsys fs.FS
	dir  string
}

// DirSource returns the AttachmentSource of a scenario stored in fsys at
// the slash-separated path name: the files in its directory and below.
func DirSource(fsys fs.FS, name string) AttachmentSource {
	return dirSource{fsys: fsys, dir: path.Dir(name)}
}

// DiskSource returns the AttachmentSource of a scenario file on disk: the
// files in its directory and below, never following a symbolic link out of
// that directory.
func DiskSource(scenarioPath string) AttachmentSource {
	return diskSource{dir: filepath.Dir(scenarioPath)}
}

// diskSource reads attached files under a directory on disk through an
// os.Root, which refuses paths and links that lead out of it.
type diskSource struct{ dir string }

// Size returns the size of the regular file at rel.
func (d diskSource) Size(rel string) (size int64, err error) {
	err = d.inRoot(func(fsys fs.FS) error {
		size, err = dirSource{fsys: fsys, dir: "."}.Size(rel)
		return err
	})
	return size, err
}

// Read returns the file at rel.
func (d diskSource) Read(rel string) (b []byte, err error) {
	err = d.inRoot(func(fsys fs.FS) error {
		b, err = fs.ReadFile(fsys, rel)
		return err
	})
	return b, err
}

// inRoot runs fn on the directory opened as an os.Root, then closes it.
func (d diskSource) inRoot(fn func(fs.FS) error) error {
	root, err := os.OpenRoot(d.dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return fn(root.FS())
}

// Size returns the size of the regular file at rel.
func (d dirSource) Size(rel string) (int64, error) {
	fi, err := fs.Stat(d.fsys, path.Join(d.dir, rel))
	if err != nil {
		return 0, err
	}
	if !fi.Mode().IsRegular() {
		return 0, fmt.Errorf("%w: not a regular file", fs.ErrNotExist)
	}
	return fi.Size(), nil
}

// Read returns the file at rel.
func (d dirSource) Read(rel string) ([]byte, error) {
	return fs.ReadFile(d.fsys, path.Join(d.dir, rel))
}

// attachmentPath checks the file path of an attachment and returns it
// cleaned, or why it is refused.
func attachmentPath(rel string) (string, error) {
	switch {
	case strings.TrimSpace(rel) == "":
		return "", errors.New("is empty")
	case strings.Contains(rel, `\`):
		return "", errors.New("must use forward slashes (/)")
	case strings.HasPrefix(rel, "/") || filepath.VolumeName(rel) != "" || (len(rel) > 1 && rel[1] == ':'):
		return "", errors.New("must be relative to the scenario file, not absolute")
	}
	clean := path.Clean(rel)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", errors.New("must stay in the scenario's directory (no ..)")
	}
	if !fs.ValidPath(clean) || clean == "." {
		return "", errors.New("is not a valid file path")
	}
	return clean, nil
}

// attachmentSource checks that an attachment has text or a file, not both,
// and that its file path is acceptable.
func (v *validator) attachmentSource(a Attachment, what string) {
	hasText, hasFile := strings.TrimSpace(a.Content) != "", a.Pos.Has("file")
	switch {
	case hasText && hasFile:
		v.errorf(a.Pos.Field("file"), "%s: attachment %q has both content and a file; give one", what, a.Name)
	case !hasText && !hasFile:
		v.errorf(a.Pos, "%s: attachment %q has no content (give content or file)", what, a.Name)
	case hasFile:
		if _, err := attachmentPath(a.File); err != nil {
			v.errorf(a.Pos.Field("file"), "%s: attachment file %q %v", what, a.File, err)
		}
	}
}

// resolveAttachments reads every attached file from src, checks the size
// limits and records each file's size and SHA-256. A scenario without
// file attachments needs no source.
func resolveAttachments(s *Scenario, src AttachmentSource, l *problemList) {
	perFile, perScenario := AttachmentLimits()
	var total int64
	for i := range s.Injects {
		in := &s.Injects[i]
		for j := range in.Attachments {
			a := &in.Attachments[j]
			if !a.Pos.Has("file") {
				continue
			}
			rel, err := attachmentPath(a.File)
			if err != nil {
				continue // the validator said why
			}
			p := a.Pos.Field("file")
			if b, ok := s.files[rel]; ok {
				a.SHA256, a.Size = fileDigest(b), int64(len(b))
				continue
			}
			if src == nil {
				l.errorf(p, "inject %s: attachment file %q cannot be read: the scenario was given without its files (load it from a file on disk)", in.ID, a.File)
				continue
			}
			size, err := src.Size(rel)
			if errors.Is(err, fs.ErrNotExist) {
				l.errorf(p, "inject %s: attachment file %q does not exist next to the scenario", in.ID, a.File)
				continue
			} else if err != nil {
				l.errorf(p, "inject %s: attachment file %q cannot be read: %v", in.ID, a.File, unwrapPathError(err))
				continue
			}
			if size > perFile {
				l.errorf(p, "inject %s: attachment file %q is %d bytes; the limit is %d (raise it with --max-attachment-size)", in.ID, a.File, size, perFile)
				continue
			}
			if total+size > perScenario {
				l.errorf(p, "inject %s: attachment file %q brings the scenario's files to %d bytes; the limit is %d (raise it with --max-attachments-size)", in.ID, a.File, total+size, perScenario)
				continue
			}
			b, err := src.Read(rel)
			if err != nil {
				l.errorf(p, "inject %s: attachment file %q cannot be read: %v", in.ID, a.File, unwrapPathError(err))
				continue
			}
			if int64(len(b)) > perFile { // it grew since Size
				l.errorf(p, "inject %s: attachment file %q is %d bytes; the limit is %d (raise it with --max-attachment-size)", in.ID, a.File, len(b), perFile)
				continue
			}
			total += int64(len(b))
			if s.files == nil {
				s.files = map[string][]byte{}
			}
			s.files[rel] = b
			a.SHA256, a.Size = fileDigest(b), int64(len(b))
		}
	}
}

// fileDigest returns the hex SHA-256 of b.
func fileDigest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Files returns a copy of the scenario's attached files by clean path
// relative to the scenario file: what a store or an archive keeps so that
// the scenario loads again without its directory (ParseWith with a FileMap).
// It is nil when the scenario attaches no file.
func (s *Scenario) Files() FileMap {
	if len(s.files) == 0 {
		return nil
	}
	return maps.Clone(s.files)
}

// AttachmentFile returns the bytes of an attachment's file, or false when
// the attachment has no file.
func (s *Scenario) AttachmentFile(a *Attachment) ([]byte, bool) {
	if a.File == "" {
		return nil, false
	}
	rel, err := attachmentPath(a.File)
	if err != nil {
		return nil, false
	}
	b, ok := s.files[rel]
	return b, ok
}
