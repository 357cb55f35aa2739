#!/usr/bin/env python3
# The tutorial's post.py (written by Vamei), in Python 3. Two changes beyond Python 3's print(): the name
# is HTML-escaped (the original echoed it raw, an XSS hole), and the form is read with urllib.parse (the
# cgi module the original used is gone from Python 3.13).
import html
import os
import sys
from urllib.parse import parse_qs

length = int(os.environ.get("CONTENT_LENGTH") or 0)
if length > 0:
    data = sys.stdin.buffer.read(length).decode("utf-8", "replace")
else:
    data = os.environ.get("QUERY_STRING", "")
form = parse_qs(data)
name = form.get("firstname", [""])[0]

# Output to stdout: the server takes it as the response to the client
print("Content-Type: text/html; charset=utf-8")  # HTML is following
print()                                           # blank line, end of headers
print("<p>Hello world!</p>")                      # start of content
print("<p>" + html.escape(name) + "</p>")
