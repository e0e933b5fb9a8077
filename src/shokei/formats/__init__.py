"""Per-format knowledge of design files: a library, not a feature (it imports no feature).

One module per format in each concern, paperless-style, with one entry point choosing by the
type sniffed from content (never from a name):

- `sniff`: what a file is (`DocumentType`) and which archive it is (`ArchiveKind`);
- `extract/`: metadata and text per format (`extract(path, type)`), for intake and search;
- `marking/`: per-recipient marked copies per format (`make_copy`) and reading the marks
  back (`read_marks`), for the hand-over.

`documents` (intake, archives) and `succession` (copies, trace) both use it.
"""
