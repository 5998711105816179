// Attachments that are files: a download link, and a preview of images
// (and an "open" link for text) where the server allows it inline.
import { h } from './dom.js';
import { i18n, t } from './i18n.js';

/**
 * sizeLabel says a file's size in the page's language.
 * @param {number} n bytes
 * @returns {string}
 */
export function sizeLabel(n) {
  const fmt = (v) => new Intl.NumberFormat(i18n.lang, { maximumFractionDigits: 1 }).format(v);
  if (n < 1024) return t('attach.size_bytes', { n: fmt(n) });
  if (n < 1024 * 1024) return t('attach.size_kb', { n: fmt(n / 1024) });
  return t('attach.size_mb', { n: fmt(n / (1024 * 1024)) });
}

/**
 * withQuery adds query parameters to a same-origin URL.
 * @param {string} url
 * @param {Record<string, string>} params
 * @returns {string}
 */
function withQuery(url, params) {
  const u = new URL(url, location.origin);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.pathname + u.search;
}

/**
 * fileExtension returns a file name's extension in capitals ("PDF"), or "".
 * @param {string} name
 */
function fileExtension(name) {
  const m = /\.([A-Za-z0-9]{1,8})$/.exec(name || '');
  return m ? m[1].toUpperCase() : '';
}

/**
 * attachmentFile renders an attached file of a delivered inject.
 * @param {{name: string, kind?: string, url: string, size?: number, type?: string, inline?: boolean}} a
 * @param {string} lang the language the inject is shown in (names the download)
 * @returns {HTMLElement}
 */
export function attachmentFile(a, lang) {
  const name = a.name || t('ui.trainee.attachment_default');
  const ext = fileExtension(a.name);
  const download = h('a', { class: 'btn att-download', href: withQuery(a.url, { lang }), download: name, 'aria-label': t('attach.download', { name }) },
    t('attach.download_short'));
  const image = a.inline && (a.type || '').startsWith('image/');
  const text = a.inline && !image;
  const inlineURL = withQuery(a.url, { disposition: 'inline', lang });
  const open = text ? h('a', { class: 'btn att-open', href: inlineURL, target: '_blank', rel: 'noopener noreferrer', 'aria-label': t('attach.open', { name }) }, t('attach.open_short')) : null;
  const preview = image ? h('a', { class: 'att-preview', href: inlineURL, target: '_blank', rel: 'noopener noreferrer', 'aria-label': t('attach.open', { name }) },
    h('img', { src: inlineURL, alt: t('attach.preview', { name }), loading: 'lazy' })) : null;
  return h('figure', { class: 'attachment attachment-file', dataset: { kind: a.kind || '', url: a.url } },
    h('figcaption', null,
      h('span', { class: 'att-name' }, name),
      ext ? h('span', { class: 'att-kind' }, ext) : null,
      a.size ? h('span', { class: 'att-size muted small' }, sizeLabel(a.size)) : null,
      open, download),
    preview);
}
