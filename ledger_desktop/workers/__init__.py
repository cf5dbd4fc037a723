"""Runs engine calls off the GUI thread (QtCore only): lanes, tasks, throttled progress, cancel."""

from .tasks import Lane, Task, TaskState

__all__ = ["Lane", "Task", "TaskState"]
