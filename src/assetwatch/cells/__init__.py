"""Cell positioning: the global cell-tower catalogue (OpenCellID CSV import), lookups with a
cache, and the resolver that turns the cells a device hears into a position with an accuracy
radius. See docs/cells.md."""
