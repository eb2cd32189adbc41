"""The floor-plan editor: scene, view, item edits, hangars, properties, dialogs, export."""
