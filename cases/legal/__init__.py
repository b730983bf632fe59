"""Legal cooperation: routing and tracking MLA and extradition requests (SPEC §6).

The pure core, one module per concept: `catalogue` (code sets and the facts the router decides
on), `routing` (the decision procedure), `checks` (rule checks), `deadlines` (timers and
reminders), `lifecycle` (request states), `evidence` (items and chain of custody),
`document_fields` and `documents` (letters of request). Against the store: `models` (tables),
`facts` (the facts as stored), `store` (reading requests back), `service` (the use cases),
`views` (what is shown), `watch` (deadline notices), `demo` (the demo's requests).
"""
