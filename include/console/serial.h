/*
 * serial.h - the 16550 UART on COM1, 115200 baud, 8 data bits, no parity,
 * one stop bit. The machine-readable half of mematlas's output goes here.
 */
#ifndef SERIAL_H
#define SERIAL_H

#include <stdbool.h>

#include "lib/format.h"

bool serial_init(void);                 /* false: no UART answered */
void serial_putc(char c);               /* '\n' goes out as "\r\n" */
void serial_write(const char *s);
int serial_getc_poll(void);             /* a received byte, or -1 */
int serial_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);
/* A protocol string: "..." with " and \ escaped and control bytes as \xNN. */
void serial_put_quoted(const char *s);

#endif
