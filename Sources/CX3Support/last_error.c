#include "x3support.h"
#include <string.h>

/* 4 KiB holds any message we write (a file path, a line number and a field name). */
#define X3S_ERROR_CAPACITY 4096
static _Thread_local char x3s_error[X3S_ERROR_CAPACITY];

void x3s_set_last_error(const char *message) {
    if (message == NULL) { x3s_error[0] = '\0'; return; }
    size_t n = strlen(message);
    if (n >= X3S_ERROR_CAPACITY) {
        n = X3S_ERROR_CAPACITY - 4;
        /* do not cut a UTF-8 sequence in half */
        while (n > 0 && ((unsigned char)message[n] & 0xC0) == 0x80) n--;
        memcpy(x3s_error, message, n);
        memcpy(x3s_error + n, "...", 4);
        return;
    }
    memcpy(x3s_error, message, n + 1);
}

const char *x3s_last_error(void) { return x3s_error; }

void x3s_clear_last_error(void) { x3s_error[0] = '\0'; }
