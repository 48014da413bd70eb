import re

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> str:
    """An inline SVG QR code (no image request, nothing for the CSP to allow)."""
    # Every mask pattern is valid and scans alike: naming one spares qrcode trying all eight,
    # 10 of its 16 ms (a whole class opens the setup page at once).
    code = qrcode.QRCode(
        image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2, mask_pattern=0
    )
    code.add_data(data)
    svg = code.make_image().to_string(encoding="unicode")
    # Size comes from CSS; the viewBox keeps the proportions.
    return re.sub(r' (width|height)="[^"]*"', "", svg, count=2)
