"""The drag-and-drop folder watcher: stable files in, processed/ or quarantine/ out."""
