# A hand-written nested Hyper-V guest on a named CPU model: the evmcs is there,
# the vmx is not (a named model only shows it when asked).
qemu-system-x86_64 -name vbs-icelake -enable-kvm -machine q35 -smp 4 -m 8G \
  -cpu Icelake-Server,hv-relaxed,hv-vapic,hv-spinlocks=0x1fff,hv-vpindex,hv-synic,hv-time,hv-stimer,hv-evmcs,invtsc=on,tsc-freq=2.8G \
  -drive file=vbs.qcow2,if=virtio
