"""Plain text: paragraphs from blank lines, wrapped lines joined, headings only where the text shows one."""
from index.clean import clean_text
from index.markup import readable
from index.readers.text import read_text
from index.sentences import region_sentences, regions

WRAPPED = """Frontend locking

The package manager backend takes the database lock before it
changes anything. When a frontend such as apt already holds the
lock on behalf of the backend, it sets the environment variable
DPKG_FRONTEND_LOCKED so that the backend does not try to acquire
the lock a second time, which would otherwise deadlock. The
variable must only be set while the frontend holds the lock.

The daemon retries a failed connection up to five times, waiting
two seconds between attempts, and then gives up and reports the
error to the administrator.
"""


def sentences(raw):
    c = clean_text(raw)
    return c, [raw[s.start:s.end] for r in regions(raw, c.blocks) for s in region_sentences(raw, r)]


def test_wrapped_paragraphs_are_joined_and_sentences_cross_line_breaks():
    c, sents = sentences(WRAPPED)
    assert c.title == "Frontend locking"
    assert [b.kind for b in c.blocks] == ["prose", "prose"]
    kept = "".join(WRAPPED[b.start:b.end] for b in c.blocks)
    assert "DPKG_FRONTEND_LOCKED" in kept and "administrator." in kept  # nothing lost
    env = next(s for s in sents if "DPKG_FRONTEND_LOCKED" in s)
    assert env.startswith("When a frontend") and env.endswith("otherwise deadlock.") and "\n" in env
    assert readable(env, "text").startswith("When a frontend such as apt already holds the lock on behalf")
    assert any(s.startswith("The daemon retries") and s.endswith("administrator.") for s in sents)


def test_a_sentence_running_on_past_a_short_line_stays_whole():
    """The widest line says 80 columns; a paragraph filled narrower still joins where the sentence plainly runs on
    (no closing punctuation, next line in lower case)."""
    raw = ("Notes\n\n" + "A" * 78 + " x.\n\n"
           "For these fast modes, new strings\nare inserted in the hash table only when no match was found, or\n"
           "when the match is not too long. This degrades the compression ratio.\n")
    _, sents = sentences(raw)
    assert any("found, or\nwhen the match is not too long." in s for s in sents)
    assert not any(s.startswith(("are inserted", "when the match")) for s in sents)


def test_one_paragraph_per_line_is_the_same_reader_with_one_line_groups():
    raw = ("A first paragraph that runs on for a long while, well past any width a person would wrap text at, "
           "and ends here.\nA second paragraph, also long enough that nobody would have wrapped it at seventy-"
           "two columns, ends too.\nShort heading line\nThird paragraph follows the heading and is long enough "
           "not to be mistaken for a wrapped line of a paragraph.\n")
    c, sents = sentences(raw)
    assert len(c.blocks) == 3 and all("\n" not in raw[b.start:b.end] for b in c.blocks)
    assert c.sections and c.sections[-1][1] == "Short heading line"


RFC = ("Network Working Group                                          A. Writer\n"
       "Request for Comments: 9999                                     Example Org\n\n"
       "                         The Example Protocol\n\n"
       "1.  Introduction\n\n"
       "   The example protocol moves messages between two peers.  Each peer\n"
       "   keeps a queue of outgoing messages and retries each of them.\n\n"
       "Writer                        Informational                      [Page 1]\n\f\n"
       "RFC 9999                   The Example Protocol                 May 2024\n\n"
       "   A message is dropped after the third retry.  The sender is then\n"
       "   told with an error.\n\n"
       "1.1.  Retries\n\n"
       "   Retries back off exponentially, starting at one sec-\n"
       "   ond.\n\n"
       "Writer                        Informational                      [Page 2]\n\f\n"
       "RFC 9999                   The Example Protocol                 May 2024\n\n"
       "2.  Security\n\n"
       "   Nothing here is secret.\n")


def test_rfc_page_furniture_is_removed_numbered_sections_found_and_hyphens_joined():
    e = read_text(RFC)
    assert e.left_out and "page" in e.left_out[0]
    c = clean_text(RFC)
    kept = "\n".join(RFC[b.start:b.end] for b in c.blocks)
    assert "[Page" not in kept and "RFC 9999   " not in kept
    assert "dropped after the third retry" in kept
    paths = [p for _, p in c.sections]
    assert "Introduction" in paths[0] and any(p.endswith("› 1.1.  Retries") or "Retries" in p for p in paths)
    where = RFC.index("Retries back off")
    assert "Retries" in next(p for o, p in reversed(c.sections) if o <= where)
    block = next(b for b in c.blocks if "back off" in RFC[b.start:b.end])
    assert readable(RFC[block.start:block.end], "text").endswith("starting at one sec-ond.")  # the hyphen is kept


def test_a_suspended_hyphen_at_a_line_break_keeps_its_space():
    raw = "does have a most- and least-\n   significant bit, and the caller does pre-\n   and post-conditioning."
    assert readable(raw, "text") == "does have a most- and least-significant bit, and the caller does pre- and " \
                                    "post-conditioning."


def test_list_items_are_units_and_figures_are_kept_whole():
    raw = ("Options\n\n"
           "The tool takes these options, each explained in a sentence of its\n"
           "own, as the manual page describes them in more detail.\n\n"
           "   - verbose prints every step the tool takes while it is running\n"
           "   - quiet prints nothing but errors\n\n"
           "   +--------+     +--------+\n"
           "   | client | --> | server |\n"
           "   +--------+     +--------+\n")
    c = clean_text(raw)
    kinds = [(b.kind, raw[b.start:b.end].split()[0]) for b in c.blocks]
    assert kinds.count(("item", "-")) == 2  # each list item one block, an item
    assert c.blocks[-1].kind == "code" and "client" in raw[c.blocks[-1].start:c.blocks[-1].end]


def test_a_block_of_fields_and_comments_is_kept_whole_as_code():
    """An LDIF record, a config or header block written flush-left in a wrapped text: its "key: value" lines and
    comments stay one unit (the comment naming the change with the line that makes it), not prose run together."""
    raw = ("Examples\n\n"
           "The record below renames an entry; it is written as a client would\n"
           "send it to the directory server, one attribute per line.\n\n"
           "# Modify an entry's relative distinguished name\n"
           "dn: cn=Paul Jensen, ou=Product Development, dc=airius, dc=com\n"
           "changetype: modrdn\n"
           "newrdn: cn=Paula Jensen\n"
           "deleteoldrdn: 1\n\n"
           "Each change record ends at a blank line, and the next one begins\n"
           "with its own dn: line, as the grammar above requires.\n")
    ex = read_text(raw)
    kinds = [(b.kind, raw[b.start:b.end]) for b in ex.blocks]
    code = [t for k, t in kinds if k == "code"]
    assert code == ["# Modify an entry's relative distinguished name\n"
                    "dn: cn=Paul Jensen, ou=Product Development, dc=airius, dc=com\n"
                    "changetype: modrdn\nnewrdn: cn=Paula Jensen\ndeleteoldrdn: 1"]
    assert [k for k, t in kinds if t.startswith(("The record", "Each change"))] == ["prose", "prose"]


def test_a_title_centred_under_the_header_block_is_the_title():
    """An RFC sets its title centred under its header block, before any section: that line is the title (not the
    header's first words or the first numbered section)."""
    raw = ("Network Working Group                                         G. Good\n"
           "Request for Comments: 2849                 iPlanet e-commerce Solutions\n\n\n"
           "   The LDAP Data Interchange Format (LDIF) - Technical Specification\n\n"
           "Status of this Memo\n\n"
           "   This document specifies an Internet standards track protocol for the\n"
           "   Internet community, and requests discussion and suggestions for\n"
           "   improvements.\n\n"
           "1. Introduction\n\n"
           "   The format is used to convey directory information, or a description\n"
           "   of a set of changes made to directory entries.\n")
    ex = read_text(raw)
    assert ex.title == "The LDAP Data Interchange Format (LDIF) - Technical Specification"
    assert [raw[b.start:b.end] for b in ex.blocks if b.kind == "heading"][-2:] == ["Status of this Memo",
                                                                                  "1. Introduction"]
