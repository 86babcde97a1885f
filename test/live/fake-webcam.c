/*
 * A V4L2 webcam in user space, for the webcam test (proxy-webcam.test.ts). Loaded into ffmpeg with
 * LD_PRELOAD, it answers open, ioctl and mmap on one device path as a UVC webcam does (YUYV, and MJPEG as
 * most HD webcams offer it; mmap streaming, monotonic timestamps, one frame per tick whether or not anyone
 * reads it) and plays frames from files in a loop. It tests nullcam with ffmpeg's real v4l2 input, not a
 * kernel driver or a camera: this machine has neither a capture device nor v4l2loopback.
 *
 * Environment:
 *   FAKE_WEBCAM_DEVICE     the path it answers (/dev/videoN); other paths go to the real calls
 *   FAKE_WEBCAM_FRAMES     raw yuyv422 frames of FAKE_WEBCAM_SIZE (WxH), played at FAKE_WEBCAM_FPS
 *   FAKE_WEBCAM_MJPEG      optional: the same frames as JPEGs, each after its length (4 bytes, little
 *                          endian); the webcam then offers MJPEG as its second format
 *   FAKE_WEBCAM_UNPLUGGED  optional path: while it exists the webcam is unplugged (open fails with ENOENT,
 *                          a running capture fails with ENODEV, as the kernel does)
 *   FAKE_WEBCAM_BUSY       optional path: while it exists another program streams from the webcam (open
 *                          works, setting a format fails with EBUSY, as uvcvideo does)
 *   FAKE_WEBCAM_DAMAGED    optional N: every Nth MJPEG frame comes cut in half, as webcams send one when
 *                          USB packets were lost (no error flag: many drivers set none)
 *   FAKE_WEBCAM_DAMAGED_LOG optional path: a line is appended for each damaged frame handed out (the test's
 *                          evidence that damage reached ffmpeg)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A UVC driver hands out a few buffers whatever the reader asks for (ffmpeg asks for 256). */
#define MAX_BUFFERS 4
#define MAX_JPEGS 4096

static struct {
  int fd;  /* the open device (a descriptor of /dev/null), or -1 */
  int frames;
  unsigned width, height, fps, size, frame_count;
  unsigned buffers;
  int queued[MAX_BUFFERS]; /* FIFO of queued buffer indices */
  unsigned queue_head, queue_len;
  int streaming;
  struct timespec start;
  uint64_t next_tick; /* the first capture tick not yet handed out */
  int mjpeg;          /* the JPEG frames file, or -1: YUYV only */
  unsigned jpeg_count;
  unsigned damaged_every; /* FAKE_WEBCAM_DAMAGED, 0: none */
  off_t jpeg_at[MAX_JPEGS];     /* where each JPEG's bytes start */
  uint32_t jpeg_size[MAX_JPEGS];
  uint32_t format;    /* the pixel format set (V4L2_PIX_FMT_YUYV or _MJPEG) */
} cam = { .fd = -1, .frames = -1, .mjpeg = -1 };

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

static int flagged(const char *variable) {
  const char *flag = getenv(variable);
  struct stat st;
  return flag && stat(flag, &st) == 0;
}

static int unplugged(void) { return flagged("FAKE_WEBCAM_UNPLUGGED"); }

static void log_damaged(uint64_t tick) {
  const char *path = getenv("FAKE_WEBCAM_DAMAGED_LOG");
  if (!path) return;
  int fd = REAL(open)(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  dprintf(fd, "%llu\n", (unsigned long long)tick);
  REAL(close)(fd);
}

static int is_device(const char *path) {
  const char *device = getenv("FAKE_WEBCAM_DEVICE");
  return device && path && strcmp(path, device) == 0;
}

static int fail(int error) {
  errno = error;
  return -1;
}

/* Indexes the length-prefixed JPEGs of FAKE_WEBCAM_MJPEG; 0 when there are none (YUYV only), -1 on a bad file. */
static int open_jpegs(void) {
  const char *path = getenv("FAKE_WEBCAM_MJPEG");
  cam.jpeg_count = 0;
  if (!path) return 0;
  cam.mjpeg = REAL(open)(path, O_RDONLY | O_CLOEXEC);
  if (cam.mjpeg < 0) return -1;
  uint32_t size;
  off_t at = 0;
  int bad = 0;
  while (!bad && cam.jpeg_count < MAX_JPEGS && pread(cam.mjpeg, &size, 4, at) == 4) {
    /* A JPEG larger than a raw frame would not fit a buffer. */
    bad = size == 0 || size > cam.size;
    cam.jpeg_at[cam.jpeg_count] = at + 4;
    cam.jpeg_size[cam.jpeg_count++] = size;
    at += 4 + (off_t)size;
  }
  if (!bad && cam.jpeg_count > 0) return 0;
  REAL(close)(cam.mjpeg);
  cam.mjpeg = -1;
  cam.jpeg_count = 0;
  return -1;
}

static int device_open(void) {
  if (unplugged()) return fail(ENOENT);
  if (cam.fd >= 0) return fail(EBUSY);
  const char *size = getenv("FAKE_WEBCAM_SIZE"), *fps = getenv("FAKE_WEBCAM_FPS"), *frames = getenv("FAKE_WEBCAM_FRAMES");
  if (!size || !fps || !frames || sscanf(size, "%ux%u", &cam.width, &cam.height) != 2) return fail(EINVAL);
  cam.fps = (unsigned)atoi(fps);
  const char *damaged = getenv("FAKE_WEBCAM_DAMAGED");
  cam.damaged_every = damaged ? (unsigned)atoi(damaged) : 0;
  cam.size = cam.width * cam.height * 2;
  cam.frames = REAL(open)(frames, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (cam.frames < 0 || fstat(cam.frames, &st) < 0 || st.st_size < cam.size) return fail(EIO);
  cam.frame_count = (unsigned)(st.st_size / cam.size);
  if (open_jpegs() < 0) return fail(EIO);
  cam.format = V4L2_PIX_FMT_YUYV;
  cam.fd = REAL(open)("/dev/null", O_RDWR | O_CLOEXEC);
  cam.buffers = cam.queue_len = cam.queue_head = 0;
  cam.streaming = 0;
  return cam.fd;
}

/* open and open64: the device, or the real call (the mode argument only comes with O_CREAT or O_TMPFILE). */
static int open_or_real(const char *real_name, const char *path, int flags, mode_t mode) {
  if (is_device(path)) return device_open();
  int (*real)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, real_name);
  return real(path, flags, mode);
}

#define MODE_OF(flags) \
  ({ va_list ap; va_start(ap, flags); mode_t m = ((flags) & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0; va_end(ap); m; })

int open(const char *path, int flags, ...) { return open_or_real("open", path, flags, MODE_OF(flags)); }
int open64(const char *path, int flags, ...) { return open_or_real("open64", path, flags, MODE_OF(flags)); }

int close(int fd) {
  if (cam.fd >= 0 && fd == cam.fd) {
    REAL(close)(cam.frames);
    if (cam.mjpeg >= 0) REAL(close)(cam.mjpeg);
    cam.fd = cam.frames = cam.mjpeg = -1;
  }
  return REAL(close)(fd);
}

static int offers(uint32_t format) {
  return format == V4L2_PIX_FMT_YUYV || (format == V4L2_PIX_FMT_MJPEG && cam.jpeg_count > 0);
}

static void set_format(struct v4l2_format *f, uint32_t format) {
  /* One size, like a fixed-function camera: whatever is asked, this is what it gets. */
  memset(&f->fmt.pix, 0, sizeof f->fmt.pix);
  f->fmt.pix.width = cam.width;
  f->fmt.pix.height = cam.height;
  f->fmt.pix.pixelformat = format;
  f->fmt.pix.field = V4L2_FIELD_NONE;
  f->fmt.pix.bytesperline = format == V4L2_PIX_FMT_YUYV ? cam.width * 2 : 0;
  f->fmt.pix.sizeimage = cam.size;
  f->fmt.pix.colorspace = V4L2_COLORSPACE_SRGB;
}

static void describe_buffer(struct v4l2_buffer *b, unsigned index) {
  memset(b, 0, sizeof *b);
  b->index = index;
  b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  b->memory = V4L2_MEMORY_MMAP;
  b->length = cam.size;
  b->m.offset = index * cam.size;
  b->field = V4L2_FIELD_NONE;
  b->flags = V4L2_BUF_FLAG_MAPPED | V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
}

static struct timespec tick_time(uint64_t tick) {
  uint64_t ns = (uint64_t)cam.start.tv_sec * 1000000000u + (uint64_t)cam.start.tv_nsec + tick * 1000000000u / cam.fps;
  return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u) };
}

/* Waits for the next capture tick. A frame captured while no buffer was free is lost, as on a real camera:
 * when the reader falls more than the queue behind, it gets the newest frames, not a backlog. */
static int dequeue(struct v4l2_buffer *b) {
  if (!cam.streaming || cam.queue_len == 0) return fail(EINVAL);
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  uint64_t elapsed = (uint64_t)(now.tv_sec - cam.start.tv_sec) * 1000000000u + (uint64_t)now.tv_nsec - (uint64_t)cam.start.tv_nsec;
  uint64_t current = elapsed * cam.fps / 1000000000u;
  if (current >= cam.next_tick + cam.queue_len) cam.next_tick = current - cam.queue_len + 1;
  struct timespec due = tick_time(cam.next_tick);
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR) {}
  if (unplugged()) return fail(ENODEV);
  unsigned index = (unsigned)cam.queued[cam.queue_head];
  cam.queue_head = (cam.queue_head + 1) % MAX_BUFFERS;
  cam.queue_len--;
  void *data = mmap(NULL, cam.size, PROT_READ | PROT_WRITE, MAP_SHARED, cam.fd, index * cam.size);
  if (data == MAP_FAILED) return -1;
  int jpeg = cam.format == V4L2_PIX_FMT_MJPEG;
  unsigned frame = (unsigned)(cam.next_tick % (jpeg ? cam.jpeg_count : cam.frame_count));
  uint32_t bytes = jpeg ? cam.jpeg_size[frame] : cam.size;
  int damaged = jpeg && cam.damaged_every && cam.next_tick % cam.damaged_every == 0;
  if (damaged) bytes /= 2;
  ssize_t got = pread(jpeg ? cam.mjpeg : cam.frames, data, bytes, jpeg ? cam.jpeg_at[frame] : (off_t)frame * cam.size);
  munmap(data, cam.size);
  if (got != (ssize_t)bytes) return fail(EIO);
  if (damaged) log_damaged(cam.next_tick);
  describe_buffer(b, index);
  b->bytesused = bytes;
  b->flags |= V4L2_BUF_FLAG_DONE;
  b->sequence = (uint32_t)cam.next_tick;
  b->timestamp.tv_sec = due.tv_sec;
  b->timestamp.tv_usec = due.tv_nsec / 1000;
  cam.next_tick++;
  return 0;
}

static int device_ioctl(unsigned long request, void *arg) {
  switch (request) {
  case VIDIOC_QUERYCAP: {
    struct v4l2_capability *c = arg;
    memset(c, 0, sizeof *c);
    strcpy((char *)c->driver, "uvcvideo");
    strcpy((char *)c->card, "nullcam fake webcam");
    strcpy((char *)c->bus_info, "usb-0000:00:14.0-1");
    c->version = 0x060100;
    c->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
    c->capabilities = c->device_caps | V4L2_CAP_DEVICE_CAPS;
    return 0;
  }
  case VIDIOC_G_INPUT: *(int *)arg = 0; return 0;
  case VIDIOC_S_INPUT: return *(int *)arg == 0 ? 0 : fail(EINVAL);
  case VIDIOC_ENUMINPUT: {
    struct v4l2_input *in = arg;
    if (in->index != 0) return fail(EINVAL);
    memset(in, 0, sizeof *in);
    strcpy((char *)in->name, "Camera 1");
    in->type = V4L2_INPUT_TYPE_CAMERA;
    return 0;
  }
  case VIDIOC_ENUM_FMT: {
    struct v4l2_fmtdesc *d = arg;
    if (d->index > (cam.jpeg_count > 0 ? 1u : 0u) || d->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
    d->flags = d->index == 1 ? V4L2_FMT_FLAG_COMPRESSED : 0;
    d->pixelformat = d->index == 1 ? V4L2_PIX_FMT_MJPEG : V4L2_PIX_FMT_YUYV;
    strcpy((char *)d->description, d->index == 1 ? "Motion-JPEG" : "YUYV 4:2:2");
    return 0;
  }
  case VIDIOC_ENUM_FRAMESIZES: {
    struct v4l2_frmsizeenum *s = arg;
    if (s->index != 0 || !offers(s->pixel_format)) return fail(EINVAL);
    s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
    s->discrete.width = cam.width;
    s->discrete.height = cam.height;
    return 0;
  }
  case VIDIOC_G_FMT:
  case VIDIOC_S_FMT:
  case VIDIOC_TRY_FMT: {
    struct v4l2_format *f = arg;
    if (f->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
    if (request == VIDIOC_S_FMT && (cam.buffers || flagged("FAKE_WEBCAM_BUSY"))) return fail(EBUSY);
    /* A format it lacks is answered with the one it has, as drivers do; the caller checks. */
    uint32_t format = request == VIDIOC_G_FMT ? cam.format : offers(f->fmt.pix.pixelformat) ? f->fmt.pix.pixelformat : V4L2_PIX_FMT_YUYV;
    if (request == VIDIOC_S_FMT) cam.format = format;
    set_format(f, format);
    return 0;
  }
  case VIDIOC_G_PARM:
  case VIDIOC_S_PARM: {
    struct v4l2_streamparm *p = arg;
    if (p->type != V4L2_BUF_TYPE_VIDEO_CAPTURE) return fail(EINVAL);
    memset(&p->parm.capture, 0, sizeof p->parm.capture);
    p->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
    p->parm.capture.timeperframe = (struct v4l2_fract){ 1, cam.fps };
    p->parm.capture.readbuffers = MAX_BUFFERS;
    return 0;
  }
  case VIDIOC_REQBUFS: {
    struct v4l2_requestbuffers *r = arg;
    if (r->type != V4L2_BUF_TYPE_VIDEO_CAPTURE || r->memory != V4L2_MEMORY_MMAP) return fail(EINVAL);
    if (cam.streaming) return fail(EBUSY);
    cam.buffers = r->count < MAX_BUFFERS ? r->count : MAX_BUFFERS;
    r->count = cam.buffers;
    cam.queue_len = cam.queue_head = 0;
    return 0;
  }
  case VIDIOC_QUERYBUF: {
    struct v4l2_buffer *b = arg;
    if (b->index >= cam.buffers) return fail(EINVAL);
    describe_buffer(b, b->index);
    return 0;
  }
  case VIDIOC_QBUF: {
    struct v4l2_buffer *b = arg;
    if (b->index >= cam.buffers || cam.queue_len == MAX_BUFFERS) return fail(EINVAL);
    cam.queued[(cam.queue_head + cam.queue_len++) % MAX_BUFFERS] = (int)b->index;
    return 0;
  }
  case VIDIOC_DQBUF: return dequeue(arg);
  case VIDIOC_STREAMON:
    if (cam.buffers == 0) return fail(EINVAL);
    cam.streaming = 1;
    clock_gettime(CLOCK_MONOTONIC, &cam.start);
    cam.next_tick = 0;
    return 0;
  case VIDIOC_STREAMOFF:
    cam.streaming = 0;
    cam.queue_len = cam.queue_head = 0;
    return 0;
  default: return fail(ENOTTY); /* a webcam has no TV standard, no tuner, ... */
  }
}

int ioctl(int fd, unsigned long request, ...) {
  va_list ap;
  va_start(ap, request);
  void *arg = va_arg(ap, void *);
  va_end(ap);
  if (cam.fd >= 0 && fd == cam.fd) return device_ioctl(request, arg);
  return REAL(ioctl)(fd, request, arg);
}

/* The buffers live in one shared memory file per device: every mapping of an offset sees the same frame. */
static int buffer_memory(void) {
  static int memory = -1;
  if (memory < 0) {
    memory = memfd_create("fake-webcam", MFD_CLOEXEC);
    if (memory >= 0 && ftruncate(memory, (off_t)MAX_BUFFERS * cam.size) < 0) {
      REAL(close)(memory);
      memory = -1;
    }
  }
  return memory;
}

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset) {
  if (cam.fd >= 0 && fd == cam.fd) {
    int memory = buffer_memory();
    if (memory < 0) {
      errno = ENOMEM;
      return MAP_FAILED;
    }
    return REAL(mmap)(addr, length, prot, MAP_SHARED, memory, offset);
  }
  return REAL(mmap)(addr, length, prot, flags, fd, offset);
}

void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off64_t offset) {
  return mmap(addr, length, prot, flags, fd, (off_t)offset);
}
