// A tiny, safe Markdown renderer for inject bodies. It builds DOM nodes
// with textContent only: raw HTML is shown as text, links are shown as
// their text followed by the URL (not clickable), images as their alt text
// and URL. Supported: paragraphs, headings (#…######), **bold**, __bold__,
// *italic*, _italic_, `code`, fenced code blocks (``` or ~~~), indented
// code, bullet and numbered lists (one level of nesting by indentation),
// block quotes, horizontal rules, hard line breaks (two trailing spaces or
// a backslash).

import { t } from './i18n.js';

/** renderMarkdown returns a DocumentFragment for the Markdown text src. */
export function renderMarkdown(src) {
  const frag = document.createDocumentFragment();
  const lines = String(src ?? '').replace(/\r\n?/g, '\n').replace(/\t/g, '    ').split('\n');
  renderBlocks(lines, frag);
  return frag;
}

const RE_FENCE = /^ {0,3}(```+|~~~+)\s*([\w+-]*)\s*$/;
const RE_HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RE_HR = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const RE_UL = /^( {0,6})[-*+]\s+(.*)$/;
const RE_OL = /^( {0,6})(\d{1,9})[.)]\s+(.*)$/;
const RE_QUOTE = /^ {0,3}>\s?(.*)$/;
const RE_INDENT_CODE = /^ {4}(.*)$/;

function isBlank(l) { return /^\s*$/.test(l); }

function renderBlocks(lines, parent) {
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) { i += 1; continue; }

    let m = RE_FENCE.exec(line);
    if (m) {
      const fence = m[1];
      const body = [];
      i += 1;
      while (i < lines.length && !isClosingFence(lines[i], fence)) {
        body.push(lines[i]);
        i += 1;
      }
      i += 1; // closing fence (or end)
      parent.appendChild(codeBlock(body.join('\n'), m[2]));
      continue;
    }

    m = RE_HEADING.exec(line);
    if (m) {
      const level = Math.min(6, m[1].length + 2); // inject titles are h2; body headings start at h3
      const el = document.createElement(`h${level}`);
      el.className = 'md-h';
      appendInline(el, m[2]);
      parent.appendChild(el);
      i += 1;
      continue;
    }

    if (RE_HR.test(line)) {
      parent.appendChild(document.createElement('hr'));
      i += 1;
      continue;
    }

    if (RE_UL.test(line) || RE_OL.test(line)) {
      i = renderList(lines, i, parent);
      continue;
    }

    if (RE_QUOTE.test(line)) {
      const inner = [];
      while (i < lines.length && !isBlank(lines[i])) {
        const q = RE_QUOTE.exec(lines[i]);
        inner.push(q ? q[1] : lines[i]);
        i += 1;
      }
      const bq = document.createElement('blockquote');
      renderBlocks(inner, bq);
      parent.appendChild(bq);
      continue;
    }

    m = RE_INDENT_CODE.exec(line);
    if (m) {
      const body = [];
      while (i < lines.length && (RE_INDENT_CODE.test(lines[i]) || isBlank(lines[i]))) {
        body.push(lines[i].slice(4));
        i += 1;
      }
      while (body.length && isBlank(body[body.length - 1])) body.pop();
      parent.appendChild(codeBlock(body.join('\n'), ''));
      continue;
    }

    // Paragraph: until a blank line or the start of another block.
    const para = [];
    while (i < lines.length && !isBlank(lines[i]) && (para.length === 0 || !startsBlock(lines[i]))) {
      para.push(lines[i]);
      i += 1;
    }
    const p = document.createElement('p');
    para.forEach((l, k) => {
      const hard = / {2,}$/.test(l) || /\\$/.test(l);
      const text = l.replace(/\\$/, '').trim();
      appendInline(p, text);
      if (k < para.length - 1) p.appendChild(hard ? document.createElement('br') : document.createTextNode(' '));
    });
    parent.appendChild(p);
  }
}

function isClosingFence(line, fence) {
  const s = line.trim();
  return s.length >= fence.length && /^ {0,3}\S/.test(line) && s === fence[0].repeat(s.length);
}

function startsBlock(l) {
  return RE_FENCE.test(l) || RE_HEADING.test(l) || RE_HR.test(l) || RE_UL.test(l) || RE_OL.test(l) || RE_QUOTE.test(l);
}

function codeBlock(text, lang) {
  const pre = document.createElement('pre');
  pre.className = 'md-code';
  const code = document.createElement('code');
  if (lang) code.dataset.lang = lang;
  code.textContent = text;
  pre.appendChild(code);
  return pre;
}

function renderList(lines, i, parent) {
  const first = RE_OL.exec(lines[i]);
  const ordered = !!first && !RE_UL.test(lines[i]);
  const baseIndent = (ordered ? first[1] : RE_UL.exec(lines[i])[1]).length;
  const list = document.createElement(ordered ? 'ol' : 'ul');
  if (ordered && first[2] !== '1') list.start = parseInt(first[2], 10);
  let li = null;
  let itemLines = [];
  const flush = () => {
    if (!li) return;
    if (itemLines.length === 1 && !itemLines[0].nested) {
      appendInline(li, itemLines[0].text);
    } else {
      // The first line inline, the rest (continuations or nested lists) as blocks.
      const [head, ...rest] = itemLines;
      appendInline(li, head.text);
      const sub = rest.map((x) => x.raw);
      if (sub.some((l) => !isBlank(l))) {
        const onlyText = sub.every((l) => !startsBlock(l.trimStart()) || isBlank(l));
        if (onlyText) {
          for (const l of sub) if (!isBlank(l)) { li.appendChild(document.createTextNode(' ')); appendInline(li, l.trim()); }
        } else {
          renderBlocks(sub.map((l) => l.replace(/^ {1,4}/, '')), li);
        }
      }
    }
    list.appendChild(li);
  };
  while (i < lines.length) {
    const l = lines[i];
    const mu = RE_UL.exec(l);
    const mo = RE_OL.exec(l);
    const m = ordered ? (mo && !mu ? mo : null) : mu;
    const indent = m ? m[1].length : -1;
    if (m && indent <= baseIndent + 1) {
      flush();
      li = document.createElement('li');
      itemLines = [{ text: ordered ? m[3] : m[2], raw: l }];
      i += 1;
      continue;
    }
    if (isBlank(l)) {
      // A blank line ends the list unless an indented line or item follows.
      const next = lines[i + 1];
      if (next !== undefined && (/^ {2,}\S/.test(next) || (ordered ? RE_OL.test(next) : RE_UL.test(next)))) {
        itemLines.push({ text: '', raw: '', nested: true });
        i += 1;
        continue;
      }
      break;
    }
    if (/^ {2,}\S/.test(l) || (!startsBlock(l) && li)) {
      itemLines.push({ text: l.trim(), raw: l, nested: true });
      i += 1;
      continue;
    }
    break;
  }
  flush();
  parent.appendChild(list);
  return i;
}

/** appendInline renders inline Markdown of text into el. */
export function appendInline(el, text) {
  for (const n of parseInline(text)) el.appendChild(n);
  return el;
}

const PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

function parseInline(text) {
  const out = [];
  let buf = '';
  const flushText = () => { if (buf) { out.push(document.createTextNode(buf)); buf = ''; } };
  let i = 0;
  while (i < text.length) {
    const c = text[i];

    if (c === '\\' && i + 1 < text.length && PUNCT.includes(text[i + 1])) {
      buf += text[i + 1];
      i += 2;
      continue;
    }

    if (c === '`') {
      let n = 1;
      while (text[i + n] === '`') n += 1;
      const fence = '`'.repeat(n);
      const end = text.indexOf(fence, i + n);
      if (end > i) {
        flushText();
        const code = document.createElement('code');
        let inner = text.slice(i + n, end);
        if (inner.startsWith(' ') && inner.endsWith(' ') && inner.trim()) inner = inner.slice(1, -1);
        code.textContent = inner;
        out.push(code);
        i = end + n;
        continue;
      }
      buf += fence;
      i += n;
      continue;
    }

    if ((c === '*' || c === '_') && text[i + 1] === c) {
      const marker = c + c;
      const end = findClose(text, marker, i + 2);
      if (end > i + 2 && canOpen(text, i, c) && text[i + 2] !== ' ') {
        flushText();
        const strong = document.createElement('strong');
        for (const n of parseInline(text.slice(i + 2, end))) strong.appendChild(n);
        out.push(strong);
        i = end + 2;
        continue;
      }
    }

    if (c === '*' || c === '_') {
      const end = findClose(text, c, i + 1);
      if (end > i + 1 && canOpen(text, i, c) && text[i + 1] !== ' ' && text[end - 1] !== ' ' &&
          (c === '*' || !/[A-Za-z0-9]/.test(text[end + 1] || ''))) {
        flushText();
        const em = document.createElement('em');
        for (const n of parseInline(text.slice(i + 1, end))) em.appendChild(n);
        out.push(em);
        i = end + 1;
        continue;
      }
    }

    if (c === '!' && text[i + 1] === '[') {
      const m = /^!\[([^\]]*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/.exec(text.slice(i));
      if (m) {
        flushText();
        out.push(linkText(m[1] ? t('ui.markdown.image', { alt: m[1] }) : t('ui.markdown.image_untitled'), m[2], false));
        i += m[0].length;
        continue;
      }
    }

    if (c === '[') {
      const m = /^\[((?:[^\][]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/.exec(text.slice(i));
      if (m) {
        flushText();
        out.push(linkText(m[1], m[2], true));
        i += m[0].length;
        continue;
      }
    }

    if (c === '<') {
      const m = /^<((?:https?|mailto|ftp):[^\s<>]+)>/i.exec(text.slice(i));
      if (m) {
        flushText();
        const span = document.createElement('span');
        span.className = 'md-url';
        span.textContent = m[1];
        out.push(span);
        i += m[0].length;
        continue;
      }
    }

    buf += c;
    i += 1;
  }
  flushText();
  return out;
}

function canOpen(text, i, c) {
  if (c === '*') return true;
  // "_" only opens at a word boundary (snake_case stays as it is).
  return i === 0 || !/[A-Za-z0-9]/.test(text[i - 1]);
}

function findClose(text, marker, from) {
  let j = from;
  while (j < text.length) {
    const k = text.indexOf(marker, j);
    if (k < 0) return -1;
    if (text[k - 1] === '\\') { j = k + 1; continue; }
    if (marker.length === 1 && text[k + 1] === marker) { j = k + 2; continue; }
    return k;
  }
  return -1;
}

function linkText(label, url, inline) {
  const span = document.createElement('span');
  span.className = 'md-link';
  if (inline) { for (const n of parseInline(label)) span.appendChild(n); } else { span.appendChild(document.createTextNode(label)); }
  if (url && url !== label) {
    const u = document.createElement('span');
    u.className = 'md-url';
    u.textContent = ` (${url})`;
    span.appendChild(u);
  }
  return span;
}
