; hvtui verify probe: a 512-byte boot sector that shows what CPUID the guest sees.
;
; The BIOS (SeaBIOS, on q35 or i440fx) loads it at 0000:7c00 in real mode.  It
; reads CPUID leaf 1 (the "hypervisor present" bit), the hypervisor leaves
; 0x40000000-0x4000000a, and the sub-ranges at 0x40000080 (Hyper-V SynDbg) and
; 0x40000100 (KVM, moved there when Hyper-V is shown) when their first leaf names
; its own last leaf; it writes one line per leaf on COM1 and leaves QEMU through
; isa-debug-exit (iobase 0xf4), so QEMU exits with status (0x10 << 1) | 1 = 33.
;
; Output, every number 8 lower-case hex digits, lines end in CR LF:
;   HVTUI-PROBE 1
;   LEAF EAX EBX ECX EDX          (one line per leaf, ECX = 0 on input)
;   HVTUI-END
;
; Build: nasm -f bin -o probe.bin probe.asm  (tests/verify re-assembles it and
; compares the bytes with the shipped probe.bin).

bits 16
org 0x7c00

COM1        equ 0x3f8
EXIT_PORT   equ 0xf4
EXIT_VALUE  equ 0x10
SUBRANGE    equ 0x0f            ; at most 15 leaves after a sub-range's first one
;; Makes the 512 bytes sum to 0 mod 256, as an option ROM must (SeaBIOS refuses
;; others).  tests/verify/test_probe.py says the right value after any change.
CHECKSUM    equ 0x1e

; Offsets 0-4 are read two ways.  As an option ROM: signature 55 aa, size 1 (512
; bytes), and at offset 3 the init entry "jmp short rom_entry".  Executed as a boot
; sector from offset 0 they are push bp / stosb / add bx,bp / inc ax, harmless, and
; the boot entry follows at offset 5.
    db 0x55, 0xaa, 0x01
    db 0xeb, rom_entry - boot_entry   ; 0x40: inc ax when executed
boot_entry:
    cli
    xor ax, ax
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    cld
    jmp 0:main                  ; some BIOSes jump to 07c0:0000

    times 0x40 - ($ - boot_entry) db 0

; Option ROM init entry (SeaBIOS far-calls it at SEG:0003 while it scans option
; ROMs, before it boots anything): copy these 512 bytes to 0000:7c00, where a boot
; sector would be, and continue there.  It never returns: the probe ends QEMU.
rom_entry:
    cli
    cld
    push cs
    pop ds
    xor si, si
    xor ax, ax
    mov es, ax
    mov ss, ax
    mov sp, 0x7c00
    mov di, 0x7c00
    mov cx, 256
    rep movsw
    mov ds, ax
    jmp 0:main

main:
    mov dx, COM1 + 1            ; no UART interrupts
    xor al, al
    out dx, al
    mov dx, COM1 + 3            ; divisor latch on
    mov al, 0x80
    out dx, al
    mov dx, COM1                ; 115200 baud
    mov al, 1
    out dx, al
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3            ; 8N1, divisor latch off
    mov al, 3
    out dx, al

    mov si, banner
    call puts
    mov eax, 1
    call leaf
    mov edi, 0x40000000
    mov ebp, 0x4000000a
    call range
    mov edi, 0x40000080
    call subrange
    mov edi, 0x40000100
    call subrange
    mov si, trailer
    call puts

    mov dx, EXIT_PORT
    mov al, EXIT_VALUE
    out dx, al
halt:                           ; only reached without isa-debug-exit
    cli
    hlt
    jmp halt

; subrange: print leaf EDI; if its EAX names a last leaf within EDI+1 .. EDI+SUBRANGE,
; print the leaves up to it.
subrange:
    mov eax, edi
    call leaf
    mov ebp, [regs]
    cmp ebp, edi
    jbe .done
    mov eax, edi
    add eax, SUBRANGE
    cmp ebp, eax
    ja .done
    inc edi
    call range
.done:
    ret

; range: print leaves EDI .. EBP (inclusive).
range:
    mov eax, edi
    call leaf
    inc edi
    cmp edi, ebp
    jbe range
    ret

; leaf: CPUID EAX (ECX = 0), printed as one line; the result stays in regs.
; Keeps EDI and EBP.
leaf:
    mov [func], eax
    xor ecx, ecx
    cpuid
    mov [regs], eax
    mov [regs + 4], ebx
    mov [regs + 8], ecx
    mov [regs + 12], edx
    mov eax, [func]
    call hex32
    mov si, regs
.next:
    mov al, ' '
    call putc
    mov eax, [si]
    call hex32
    add si, 4
    cmp si, regs + 16
    jb .next
    mov al, 13
    call putc
    mov al, 10
    call putc
    ret

; hex32: print EAX as 8 hex digits.
hex32:
    mov cx, 8
.digit:
    rol eax, 4
    push eax
    and al, 0x0f
    add al, '0'
    cmp al, '9'
    jbe .out
    add al, 'a' - '9' - 1
.out:
    call putc
    pop eax
    loop .digit
    ret

; puts: print the zero-terminated string at SI.
puts:
    lodsb
    test al, al
    jz .done
    call putc
    jmp puts
.done:
    ret

; putc: write AL to COM1 once its transmitter is empty (bounded wait: a missing
; UART reads as 0xff, which looks empty).  Keeps every register.
putc:
    push cx
    push dx
    push ax
    mov dx, COM1 + 5
    mov cx, 0xffff
.wait:
    in al, dx
    test al, 0x20
    jnz .ready
    loop .wait
.ready:
    pop ax
    mov dx, COM1
    out dx, al
    pop dx
    pop cx
    ret

banner:  db "HVTUI-PROBE 1", 13, 10, 0
trailer: db "HVTUI-END", 13, 10, 0

align 4
func:    dd 0
regs:    times 4 dd 0

times 509 - ($ - $$) db 0
db CHECKSUM
dw 0xaa55
