# Started by hand on a RHEL host; spellings as people write them.
/usr/libexec/qemu-kvm -enable-kvm -S -nodefaults \
  -name guest=legacy-win,debug-threads=on \
  -machine pc-q35-rhel9.2.0 -m 4096 -smp 2 \
  -cpu host,hv_relaxed \
  -global host-x86_64-cpu.hv-vpindex=on \
  -global driver=host-x86_64-cpu,property=hv-synic,value=yes \
  -global host-x86_64-cpu.hv_time=true \
  -cpu host,hv-relaxed=on,hv_vapic=y,hv-spinlocks=4095,hv-runtime=false,hv-stimer,+hv-tlbflush,-hv-reset,hv-apicv=on \
  -drive file=/var/lib/images/legacy-win.qcow2,if=virtio \
  -vnc :1
