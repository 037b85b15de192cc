"""What the admin console says about each refusal of the API (app/static/admin/words.js).

The browser suite meets the 403, 404 and 412 in a real session; here every status the console
words is checked once, in Node (the module uses no DOM), with the API's own details.
"""

import json
import shutil
import subprocess

import pytest

from harness.processes import REPO

WHAT = "citizen 5 of import 2"
CALLER = {"name": "rita", "role": "reader"}
# status -> (the API error's detail, Retry-After, what the console must say)
CASES = {
    0: (None, None, "The service could not be reached. Check your connection and try again."),
    401: (
        "The token is unknown or revoked.",
        None,
        "The service does not know this token (it may have been revoked). "
        "Sign in again with a valid token.",
    ),
    403: (
        "This request needs the admin role; the token's role is reader.",
        None,
        "Your token “rita” has the reader role: it cannot see the trash, restore or delete "
        "anything for good. Sign in with an admin token.",
    ),
    404: (
        "Citizen 5 of import 2 was not found.",
        None,
        "Citizen 5 of import 2 no longer exists: someone may have deleted it for good.",
    ),
    409: (
        "citizen_id 5 is taken by a trashed citizen of import 2: restore or purge it.",
        None,
        "That conflicts with a record the service holds: citizen_id 5 is taken by a trashed "
        "citizen of import 2: restore or purge it.",
    ),
    412: (
        "The citizen has changed since the tag in If-Match.",
        None,
        "Someone changed citizen 5 of import 2 after you opened it. "
        "Reload to see it as it is now, then decide again.",
    ),
    429: ("Too many requests.", "7", "Too many requests for now; try again in 7 seconds."),
    503: (
        "The database is unavailable.",
        "5",
        "The service failed to answer. Try again in a moment; if it goes on, tell the operators.",
    ),
}

SCRIPT = """
import { ApiError } from './app/static/admin/api.js';
import { explain } from './app/static/admin/words.js';
const { cases, what, caller } = JSON.parse(process.argv[1]);
const said = {};
for (const [status, [detail, retryAfter]] of Object.entries(cases)) {
  const errors = detail === null ? [] : [{ status, detail }];
  said[status] = explain(new ApiError(Number(status), errors, retryAfter), what, caller);
}
process.stdout.write(JSON.stringify(said));
"""


def test_each_refusal_is_told_in_plain_words():
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is missing (the project needs Node.js 20 and npm).")
    config = json.dumps({"cases": CASES, "what": WHAT, "caller": CALLER})
    completed = subprocess.run(
        [node, "--input-type=module", "-e", SCRIPT, config],
        capture_output=True, text=True, cwd=REPO, timeout=30, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    said = json.loads(completed.stdout)
    assert said == {str(status): words for status, (_, _, words) in CASES.items()}
