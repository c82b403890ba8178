#!/usr/bin/python3
"""html_text.py -- what a reader sees in a DOM that Chromium dumped.

usage: html_text.py DOM.html

Prints, in order:
  title: <the document title>
  scripts: <number of script elements>
  then the visible text of <body>, one text node per line (script and style
  contents and hidden rows left out; character references decoded, so a
  file name such as "<script>x</script>" shows as those characters).

Run by tests/unit/check_report.c on the output of
`chromium --headless --dump-dom file://report.html`: since the DOM is
dumped after the page's scripts ran, a script smuggled in from the data
would show in the title or the script count.
"""
import html.parser
import sys


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = []
        self.lines = []
        self.scripts = 0
        self.stack = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "meta", "link", "input", "img", "rect"):
            return
        hidden = any(k == "hidden" for k, _ in attrs)
        if tag == "script":
            self.scripts += 1
        self.stack.append((tag, hidden))
        if hidden:
            self.hidden += 1

    def handle_endtag(self, tag):
        while self.stack:
            t, hidden = self.stack.pop()
            if hidden:
                self.hidden -= 1
            if t == tag:
                break

    def handle_data(self, data):
        tags = [t for t, _ in self.stack]
        if "title" in tags and "svg" not in tags:
            self.title.append(data)
            return
        if "script" in tags or "style" in tags or "head" in tags or self.hidden:
            return
        if data.strip():
            self.lines.append(data.strip())


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8", errors="replace") as f:
        p = Text()
        p.feed(f.read())
        p.close()
    print("title: " + "".join(p.title).strip())
    print("scripts: %d" % p.scripts)
    for line in p.lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
