virt-install --name win-server --memory 8192 --vcpus 4 --os-variant win2k22 \
  --cpu host-passthrough \
  --features hyperv.relaxed.state=on,hyperv.vapic.state=on,hyperv.spinlocks.state=on,hyperv.spinlocks.retries=8191,hyperv.vpindex.state=on,hyperv.synic.state=on,hyperv.stimer.state=on,hyperv.stimer.direct.state=on \
  --clock offset=localtime,hypervclock_present=yes \
  --cputune vcpupin0.vcpu=0,vcpupin0.cpuset=4,vcpupin1.vcpu=1,vcpupin1.cpuset=5,vcpupin2.vcpu=2,vcpupin2.cpuset=6,vcpupin3.vcpu=3,vcpupin3.cpuset=7 \
  --disk size=80 --cdrom /srv/iso/windows-server-2022.iso --network network=default
