"""Text from outside: which characters never belong in what is stored or routed.

A leaf module (it imports nothing of ours), so queries, middleware and services can all use it.
"""

from __future__ import annotations

import re

# C0 control characters and DEL: refused in paths, query strings and file names, and cleaned
# from what TVs report. (Forms also allow tab and line breaks: http/forms.py.)
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
