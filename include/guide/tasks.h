/*
 * tasks.h - the demos of tasks, mematlas's goroutines: stacks of their own
 * that grow, one that overflows, and one heap shared through a channel.
 */
#ifndef TASKS_H
#define TASKS_H

void demo_goroutines(void);
void demo_channel(void);

#endif
