"""Markdown (markdown-it-py) and reStructuredText (docutils): structure from the parser, spans exact."""
from index.clean import clean_blocks
from index.markup import readable
from index.readers.markdown import read_markdown
from index.readers.rst import read_rst

MD = """---
title: Deploy guide
date: 2024-03-01
---

# Deploy guide

Intro paragraph that is
wrapped over two lines.

## Setup

- install the **agent** first, then
  restart the service
- open port `8443`

| setting | default |
|---------|---------|
| retries | 5       |
| timeout | 30 s    |

```sh
agent --retries 5
```

> Quoted advice that
> spans two lines.
"""


def test_markdown_structure_and_exact_spans():
    e = read_markdown(MD)
    kinds = [b.kind for b in e.blocks]
    assert kinds.count("heading") == 2 and "code" in kinds and kinds.count("lines") == 3
    c = clean_blocks(e.text, e.blocks, e.title, e.date)
    assert c.title == "Deploy guide" and c.date == "2024-03-01"
    texts = [readable(MD[b.start:b.end], "markdown") for b in c.blocks]
    assert "install the agent first, then restart the service" in texts
    assert "| retries | 5 |" in texts and "agent --retries 5" in texts
    assert "Quoted advice that spans two lines." in texts
    setup = MD.index("- install")
    assert next(p for o, p in reversed(c.sections) if o <= setup) == "Setup"
    assert not any("title:" in t for t in texts)  # front matter is not text


RST = """=================
 The Tool Manual
=================

:Author: A. Person
:Status: Draft

Overview
========

The tool reads a file and
writes a report.

Options
-------

- ``--fast`` skips the checks
- ``--out`` names the report

Run it like this::

    tool --fast input.txt

.. a comment that is not text
"""


def test_rst_sections_literal_blocks_and_fields():
    e = read_rst(RST)
    c = clean_blocks(e.text, e.blocks, e.title, e.date)
    assert c.title == "The Tool Manual"
    paths = [p for _, p in c.sections]
    assert paths == ["Overview", "Overview › Options"]
    texts = {b.kind: [] for b in c.blocks}
    for b in c.blocks:
        texts[b.kind].append(readable(RST[b.start:b.end], "rst"))
    assert "The tool reads a file and writes a report." in texts["prose"]
    assert "--fast skips the checks" in texts["item"] and "Run it like this:" in texts["prose"]
    assert texts["code"] == ["tool --fast input.txt"]
    assert any("A. Person" in t for t in texts["lines"])  # bibliographic fields are kept
    assert not any("comment" in t for ts in texts.values() for t in ts)


def test_a_heading_repeated_in_every_section_names_each_section():
    """Release notes repeat "Compiler" under every version: each is its section's heading, none is dropped."""
    md = ("# Releases\n\n## Version 2\n\n### Compiler\n\nFaster builds.\n\n"
          "## Version 1\n\n### Compiler\n\nFirst release of the compiler.\n")
    e = read_markdown(md)
    c = clean_blocks(e.text, e.blocks, e.title, e.date)
    at = md.index("First release")
    assert next(p for o, p in reversed(c.sections) if o <= at) == "Version 1 › Compiler"


def test_what_a_reader_never_sees_is_not_counted_as_visible():
    md = "Intro text here.\n\n<!-- an editor's note -->\n\n[ref]: https://example.org/a/long/link\n"
    assert read_markdown(md).visible_chars == sum(c.isalnum() for c in "Intro text here.")


def test_list_items_and_definitions_are_items():
    """A list item's paragraph is one unit while short; an rst term is read with its one-paragraph definition."""
    md = "Options:\n\n- `resolution`: pixels per inch.\n  Default: `72`.\n- `width`: unset by default.\n"
    e = read_markdown(md)
    assert [(b.kind, md[b.start:b.end]) for b in e.blocks] == [
        ("prose", "Options:"), ("item", "`resolution`: pixels per inch.\n  Default: `72`."),
        ("item", "`width`: unset by default.")]
    rst = ("Names considered:\n\npysettings.toml\n  Most reasonable alternative.\n\n"
           "pypa.toml\n  A niche term.\n\n  A second paragraph.\n")
    e = read_rst(rst)
    assert [(b.kind, rst[b.start:b.end]) for b in e.blocks] == [
        ("prose", "Names considered:"), ("item", "pysettings.toml\n  Most reasonable alternative."),
        ("prose", "pypa.toml"), ("item", "A niche term."), ("item", "A second paragraph.")]


def test_a_pep_header_title_field_is_the_title():
    from index.readers.rst import read_rst

    raw = ("PEP: 257\nTitle: Docstring Conventions\nAuthor: David Goodger <goodger@python.org>,\n"
           "        Guido van Rossum <guido@python.org>\nStatus: Active\n\n\n"
           "Abstract\n========\n\nThis PEP documents the semantics and conventions associated with Python docstrings.\n")
    ex = read_rst(raw)
    assert ex.title == "Docstring Conventions"
    assert [raw[b.start:b.end] for b in ex.blocks if b.kind == "heading"] == ["Abstract"]  # still a section


def test_a_title_field_in_a_leading_field_list_is_the_title():
    from index.readers.rst import read_rst

    raw = (":title: AWS CLI S3 Configuration\n:description: Advanced configuration for AWS S3 Commands\n\n"
           "Configuration Values\n====================\n\nThese are the configuration values you can set.\n")
    ex = read_rst(raw)
    assert ex.title == "AWS CLI S3 Configuration"
    assert [raw[b.start:b.end] for b in ex.blocks if b.kind == "heading"] == ["Configuration Values"]


def test_an_html_block_in_markdown_is_read_as_html():
    from index.markup import readable
    from index.readers.markdown import read_markdown

    md = ("# Tool\n\n<p align=\"center\"><img src=\"logo.png\" alt=\"logo\"></p>\n\nThe tool copies files.\n\n"
          "<table>\n<tr><th>Option</th><th>Default</th></tr>\n<tr><td>retries</td><td>3</td></tr>\n</table>\n\n"
          "<details>\n<summary>Advanced usage</summary>\n\nSet `TOOL_HOME` to move the cache.\n\n</details>\n\n"
          "Run DROP TABLE <table> to remove one.\n")
    got = [(b.kind, readable(md[b.start:b.end], "markdown")) for b in read_markdown(md).blocks]
    assert ("item", "Option | Default") in got and ("item", "retries | 3") in got  # a row per unit, cells apart
    assert ("prose", "Advanced usage") in got  # not a heading made from styling
    assert all(t for _, t in got)  # the image-only paragraph is no empty block
    assert ("prose", "Run DROP TABLE <table> to remove one.") in got  # a placeholder in text stays
