"""One factory per model: plain functions that tests and fixtures call to make rows.

Factories go through the same model methods and services as the portal, so a test row is
always a row the portal could have made.
"""

# --- people, companies, subscriptions, devices ---

# --- cases, messages, attachments ---
