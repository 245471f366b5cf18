"""The operator console: the operator API's reports as server-rendered pages (the `web`
extra: Starlette and Jinja2, no JavaScript).

`create_app(...)` gives an ASGI app to mount inside an application (behind the host's own
authentication, `guard=`) or to run standalone (`scrypath console`, behind an access
token). It is read-only unless `actions=True`, and then applies only the actions the
reconcile report recommends.
"""

from scrypath.web.console import Console, create_app
from scrypath.web.settings import ConsoleSettings, Guard, trust_host

__all__ = ["Console", "ConsoleSettings", "Guard", "create_app", "trust_host"]
