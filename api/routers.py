"""The router that reads and writes share: ninja serves one address's methods (GET, PATCH,
DELETE on a comment) from one router."""

from ninja import Router

discussions = Router()
