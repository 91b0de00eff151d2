"""HtmlReader: structure from the tags (headings, code, list items, definitions, table rows), on generated pages
and on real mdBook pages (eval/corpus/docs/html)."""
from pathlib import Path

import pytest

from index.clean import clean_html
from index.markup import plain, readable
from index.readers.base import FormatReader
from index.readers.html import HtmlReader, read_html
from index.sentences import region_sentences, regions

CORPUS = Path(__file__).resolve().parents[3] / "eval" / "corpus" / "docs" / "html"

DOC = """<html><head><title>Tool manual</title></head><body>
<nav><ul><li><a href="a.html">Intro</a></li><li><a href="b.html">Options</a></li></ul></nav>
<main>
<h1>Tool manual</h1>
<p>The tool copies files between hosts.</p>
<h2>Options</h2>
<dl>
<dt><code>-o FILE</code></dt>
<dd><p>Write the output to FILE instead of standard output.</p></dd>
<dt><code>-q</code></dt><dd>Print nothing but errors</dd>
</dl>
<p>Using the flag looks like this:</p>
<pre><code class="language-bash">$ tool -o out.txt in.txt
$ tool --quiet in.txt
</code></pre>
<h2>Limits</h2>
<ul>
<li>Files up to 4 GB</li>
<li>At most 16 hosts</li>
</ul>
<table>
<thead><tr><th>Setting</th><th>Default</th></tr></thead>
<tbody>
<tr><td>retries</td>
<td>3</td>
<tr><td>timeout</td><td><p>30 s</p></td></tr>
</tbody>
</table>
<p>Short line without a stop</p>
</main>
<footer>Copyright 2024</footer>
</body></html>"""


def blocks(raw):
    ex = read_html(raw)
    return [(b.kind, plain(raw[b.start:b.end])) for b in ex.blocks]


def test_is_a_format_reader():
    assert isinstance(HtmlReader(), FormatReader) and HtmlReader.suffixes == (".html", ".htm")


def test_structure_comes_from_the_tags():
    got = blocks(DOC)
    assert ("heading", "Options") in got and ("heading", "Limits") in got
    # a term with its definition is one item; code stays whole, its lines apart; list items are items
    assert ("item", "-o FILE — Write the output to FILE instead of standard output.") in got
    assert ("item", "-q — Print nothing but errors") in got
    code = next(t for k, t in got if k == "code")
    assert code.splitlines() == ["$ tool -o out.txt in.txt", "$ tool --quiet in.txt"]
    assert ("item", "Files up to 4 GB") in got and ("item", "At most 16 hosts") in got
    # a table row is one unit, its cells " | " apart, even when a </tr> is left out or a cell holds a <p>
    assert ("item", "Setting | Default") in got
    assert ("item", "retries | 3") in got and ("item", "timeout | 30 s") in got
    # a page that tags its headings gets no headings from styling: a short paragraph stays text
    assert ("prose", "Short line without a stop") in got
    assert not any("Intro" in t or "Copyright" in t for _, t in got)  # navigation and footer are left out


def test_a_page_without_subheading_tags_gets_headings_from_styling():
    raw = ("<html><body><h1>Port Visit</h1><p>Background</p><p>The minister visited the port on Monday.</p>"
           "<ul><li>Short item without a stop</li></ul></body></html>")
    got = blocks(raw)
    assert ("heading", "Background") in got and ("item", "Short item without a stop") in got


def test_neighbouring_blocks_chunk_together():
    """Blocks with only tags between them are one region, chunked together as a Markdown file's paragraphs are:
    the lead-in "Using the flag looks like this:" and the code under it share a chunk."""
    c = clean_html(DOC)
    region = next(r for r in regions(DOC, c.blocks) if any("looks like this" in DOC[b.start:b.end] for b in r))
    texts = [readable(DOC[s.start:s.end], "html") for s in region_sentences(DOC, region)]
    assert "Using the flag looks like this:" in texts and "$ tool -o out.txt in.txt $ tool --quiet in.txt" in texts


@pytest.mark.skipif(not CORPUS.exists(), reason=f"no corpus HTML in {CORPUS}")
def test_real_mdbook_pages():
    raw = (CORPUS / "rustc-exploit-mitigations.html").read_text(encoding="utf-8")
    c = clean_html(raw)
    rows = [plain(raw[b.start:b.end]) for b in c.blocks if b.kind == "item"]
    assert "Stack smashing protection | Yes | No, -Z stack-protector | Nightly" in rows
    assert any(p.endswith("› Exploit mitigations › Stack clashing protection") for _, p in c.sections)
    raw = (CORPUS / "rustdoc-command-line-arguments.html").read_text(encoding="utf-8")
    c = clean_html(raw)
    paths = [p for _, p in c.sections]
    assert any(p.endswith("--crate-name: controlling the name of the crate") for p in paths)
    assert not any("$ rustdoc" in p for p in paths)  # code is never a heading
    code = [raw[b.start:b.end] for b in c.blocks if b.kind == "code"]
    assert any("$ rustdoc src/lib.rs --crate-name mycrate" in plain(t) for t in code)


SPHINX = """<html><head><title>IDLE &#8212; Python 3.13 documentation</title></head><body>
<div class="related" role="navigation" aria-label="related navigation"><h3>Navigation</h3>
<ul><li><a href="genindex.html">index</a></li><li><a href="py-modindex.html">modules</a> |</li></ul></div>
<div class="document"><div class="body" role="main">
<section id="idle"><h1>IDLE<a class="headerlink" href="#idle" title="Link to this heading">¶</a></h1>
<p>IDLE has the following features:</p>
<ul class="simple">
<li><p>cross-platform: works mostly the same on Windows, Unix, and macOS</p></li>
<li><p>configuration, browsers, and other dialogs</p></li>
</ul>
<section id="menus"><h2>Menus<a class="headerlink" href="#menus" title="Link to this heading">¶</a></h2>
<p>IDLE has two main window types, the Shell window and the Editor window.</p>
<span aria-hidden="true">Decoration only</span>
</section></section></div>
<div class="sphinxsidebar" role="navigation"><h3>Table of Contents</h3><p>Quick search</p></div></div>
<div class="footer">Last updated on Jan 17, 2024. Created using Sphinx 7.0.1.</div>
</body></html>"""


def test_sphinx_furniture_permalinks_and_list_paragraphs():
    """Sphinx marks its navigation with ARIA roles and its footer with a class, puts a "¶" link in every heading and
    a <p> in every list item; the title has an entity in it."""
    ex = read_html(SPHINX)
    got = [(b.kind, plain(SPHINX[b.start:b.end])) for b in ex.blocks]
    assert ex.title == "IDLE — Python 3.13 documentation"
    assert ("heading", "IDLE") in got and ("heading", "Menus") in got
    assert ("item", "cross-platform: works mostly the same on Windows, Unix, and macOS") in got
    assert ("prose", "IDLE has two main window types, the Shell window and the Editor window.") in got
    text = " ".join(t for _, t in got)
    for furniture in ("index", "modules", "Quick search", "Table of Contents", "Last updated", "Decoration only"):
        assert furniture not in text


def test_a_line_break_is_soft_and_two_end_a_paragraph():
    raw = ("<html><body><h2>Notes</h2><p>The backup runs nightly and keeps<br>\nthirty copies of the database."
           "<br><br>Restores are tested monthly.</p></body></html>")
    got = [(k, " ".join(t.split())) for k, t in blocks(raw)]
    assert ("prose", "The backup runs nightly and keeps thirty copies of the database.") in got
    assert ("prose", "Restores are tested monthly.") in got


def test_a_hidden_paragraph_without_its_end_tag_does_not_hide_the_page():
    """HTML lets <p> and <li> end without their end tag: only elements that must be closed are left out for
    being hidden or furniture, so the rest of the page is still read."""
    raw = "<html><body><h2>Notes</h2><p hidden>Draft note<p>The backup runs nightly.<p>Restores are tested.</body>"
    got = blocks(raw)
    assert ("prose", "The backup runs nightly.") in got and ("prose", "Restores are tested.") in got
