// Tests of js/markdown.js in the fake DOM: run with `node --test web/ui/_test/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { installFakeDOM } from './fakedom.mjs';
import { i18n } from '../js/i18n.js';

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../../internal/i18n/catalog/${lang}.json`, import.meta.url), 'utf8'));
for (const l of ['en', 'es', 'pt', 'fr']) i18n.catalogs.set(l, catalog(l));

test('an image reads as its alt text and address, in the page language', async () => {
  installFakeDOM();
  const { renderMarkdown } = await import('../js/markdown.js');
  const text = (src) => {
    const div = document.createElement('div');
    div.appendChild(renderMarkdown(src));
    return div.textContent;
  };
  const was = i18n.lang;
  try {
    i18n.lang = 'es';
    assert.match(text('Ver ![mapa de la red](https://example.org/red.png).'), /\[imagen: mapa de la red\]/);
    assert.match(text('![](https://example.org/red.png)'), /\[imagen\]/);
    assert.match(text('![](https://example.org/red.png)'), /example\.org\/red\.png/, 'the address follows');
    i18n.lang = 'en';
    assert.match(text('![network map](https://example.org/red.png)'), /\[image: network map\]/);
  } finally {
    i18n.lang = was;
  }
});
