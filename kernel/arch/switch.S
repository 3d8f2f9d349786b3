/*
 * switch.S - the context switch: save what the i386 System V ABI says a
 * function must preserve (ebx, esi, edi, ebp), swap stacks, restore.
 * Everything else the caller of task_switch already treats as clobbered.
 *
 *   void task_switch(uint32_t *save_esp, uint32_t new_esp);
 */
        .text
        .globl  task_switch
        .type   task_switch, @function
task_switch:
        movl    4(%esp), %eax           /* where to save our stack pointer */
        movl    8(%esp), %edx           /* the stack to resume */
        pushl   %ebp
        pushl   %ebx
        pushl   %esi
        pushl   %edi
        movl    %esp, (%eax)
        movl    %edx, %esp
        popl    %edi
        popl    %esi
        popl    %ebx
        popl    %ebp
        ret
        .size   task_switch, . - task_switch
