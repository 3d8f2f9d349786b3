/*
 * tour.h - the guide (shared/seed) section by section, each demo ending
 * with the machine's verdict on the guide's claim.
 */
#ifndef TOUR_H
#define TOUR_H

void tour_layout(void);
void tour_heap(void);
void tour_data(void);
void tour_code(void);
void tour_stack_vs_heap(void);
void tour_escape(void);
void tour_gc(void);
void tour_all(void);

#endif
