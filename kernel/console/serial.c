/*
 * serial.c - polled driver for the 16550 UART on COM1.
 *
 * Polled, not interrupt driven: the atlas is printed before interrupts exist,
 * and a fault handler must be able to print with interrupts off.
 */
#include "console/serial.h"

#include <stdint.h>

#include "arch/irq.h"
#include "arch/ports.h"

#define COM1            0x3F8
#define UART_DATA       0   /* THR on write, RBR on read; DLL when DLAB=1 */
#define UART_IER        1   /* interrupt enable; DLM when DLAB=1 */
#define UART_FCR        2   /* FIFO control */
#define UART_LCR        3   /* line control */
#define UART_MCR        4   /* modem control */
#define UART_LSR        5   /* line status */

#define LCR_8N1         0x03
#define LCR_DLAB        0x80    /* the next two registers hold the divisor */
#define FCR_ENABLE      0x01
#define FCR_CLEAR_RX    0x02
#define FCR_CLEAR_TX    0x04
#define FCR_TRIGGER_14  0xC0
#define MCR_DTR         0x01
#define MCR_RTS         0x02
#define MCR_OUT2        0x08
#define MCR_LOOPBACK    0x10
#define LSR_DATA_READY  0x01
#define LSR_TX_EMPTY    0x20    /* the holding register can take a byte */

#define UART_CLOCK      115200  /* divisor 1 gives 115200 baud */
#define BAUD            115200
#define LOOPBACK_PROBE  0xAE

static bool present;

bool serial_init(void)
{
    uint16_t divisor = UART_CLOCK / BAUD;

    outb(COM1 + UART_IER, 0);
    outb(COM1 + UART_LCR, LCR_DLAB);
    outb(COM1 + UART_DATA, divisor & 0xFF);
    outb(COM1 + UART_IER, divisor >> 8);
    outb(COM1 + UART_LCR, LCR_8N1);
    outb(COM1 + UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER_14);

    /* Talk to ourselves once: a machine without COM1 reads back garbage. */
    outb(COM1 + UART_MCR, MCR_LOOPBACK | MCR_RTS | MCR_OUT2);
    outb(COM1 + UART_DATA, LOOPBACK_PROBE);
    present = inb(COM1 + UART_DATA) == LOOPBACK_PROBE;
    outb(COM1 + UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    return present;
}

static void put_raw(char c)
{
    while (!(inb(COM1 + UART_LSR) & LSR_TX_EMPTY))
        ;
    outb(COM1 + UART_DATA, (uint8_t)c);
}

void serial_putc(char c)
{
    if (!present)
        return;
    if (c == '\n')
        put_raw('\r');
    put_raw(c);
}

void serial_write(const char *s)
{
    while (*s)
        serial_putc(*s++);
}

int serial_getc_poll(void)
{
    if (!present || !(inb(COM1 + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(COM1 + UART_DATA);
}

void serial_sink(void *ctx, char c)
{
    (void)ctx;
    serial_putc(c);
}
