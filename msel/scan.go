package msel

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"
)

// sheetMarks are what the value reader does not see: the formulas and the
// merged ranges of one sheet.
type sheetMarks struct {
	formulas []mark // cell and formula text
	merged   []mark // top-left cell and range
}

type mark struct {
	col, row int
	text     string
}

// scanMarks streams the XML of every worksheet of an XLSX file once and
// returns the formulas and merged cells of each, by sheet name. Reading
// the worksheets through the spreadsheet library instead would expand
// every row up to the largest row number a hostile file declares.
func scanMarks(data []byte) (map[string]*sheetMarks, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	read := func(name string) ([]byte, error) {
		f, ok := files[name]
		if !ok {
			return nil, fmt.Errorf("missing part %s", name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(io.LimitReader(rc, maxUnzippedPart))
	}
	wb, err := read("xl/workbook.xml")
	if err != nil {
		return nil, err
	}
	var book struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(wb, &book); err != nil {
		return nil, err
	}
	relsData, err := read("xl/_rels/workbook.xml.rels")
	if err != nil {
		return nil, err
	}
	var rels struct {
		Rel []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if err := xml.Unmarshal(relsData, &rels); err != nil {
		return nil, err
	}
	out := map[string]*sheetMarks{}
	for _, s := range book.Sheets {
		for _, r := range rels.Rel {
			if r.ID != s.ID {
				continue
			}
			target := strings.TrimPrefix(r.Target, "/")
			if !strings.HasPrefix(target, "xl/") {
				target = path.Join("xl", target)
			}
			f, ok := files[target]
			if !ok {
				continue
			}
			m, err := scanSheet(f)
			if err != nil {
				return nil, fmt.Errorf("sheet %s: %w", s.Name, err)
			}
			out[s.Name] = m
		}
	}
	return out, nil
}

// scanSheet finds the formulas and merged ranges of one worksheet part.
func scanSheet(f *zip.File) (*sheetMarks, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, maxUnzippedPart))
	m := &sheetMarks{}
	row, col := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return m, nil
		}
		if err != nil {
			return nil, err
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch el.Name.Local {
		case "row":
			row++
			col = 0
			if r := attr(el, "r"); r != "" {
				fmt.Sscan(r, &row)
			}
		case "c":
			col++
			if ref := attr(el, "r"); ref != "" {
				if c, r, err := excelize.CellNameToCoordinates(ref); err == nil {
					col, row = c, r
				}
			}
		case "f":
			var text string
			if err := dec.DecodeElement(&text, &el); err != nil {
				return nil, err
			}
			if text == "" {
				text = "shared formula"
			}
			if len(m.formulas) < 100 {
				m.formulas = append(m.formulas, mark{col - 1, row, text})
			}
		case "mergeCell":
			ref := attr(el, "ref")
			start, _, _ := strings.Cut(ref, ":")
			if c, r, err := excelize.CellNameToCoordinates(start); err == nil && len(m.merged) < 100 {
				m.merged = append(m.merged, mark{c - 1, r, ref})
			}
		}
	}
}

func attr(el xml.StartElement, name string) string {
	for _, a := range el.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}
