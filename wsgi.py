"""The WSGI entry point: gunicorn wsgi:app."""

import gc

from marketplace import create_app

app = create_app()

# Everything built at start-up (modules, mappers, the Decision 148 tree, 3,321 communes, locale data)
# lives as long as the process. Moving it out of the collector's reach means a full collection only
# walks what requests create: without this, a gen-2 pass over ~170,000 start-up objects stalled a
# request for up to 80 ms about once every 500 requests (see bench/README.md).
gc.collect()
gc.freeze()
