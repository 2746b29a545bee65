// Placeholder so the library has a source until the codec lands; delete when adding real files.
