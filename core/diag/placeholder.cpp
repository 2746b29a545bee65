// Placeholder so the module has a source; delete when the directory has real sources.
